/**
 * What all `bulk.json` requests together may hold at once, so that the proxy's memory is bounded by its settings,
 * not by how many callers there are or how they write their bodies.
 *
 * Each request is bounded on its own (a body up to `maxBodyBytes`, at most `rowsPerRequest` rows, its budget), but
 * callers can be many: a thousand bodies stalled one byte short of the limit, or bodies of `{}` rows, each row of
 * which costs the proxy an allocation and an error row many times its 3 bytes. So the bytes of bodies being read or
 * worked on, and the rows being allocated, are counted across requests; a request that would go past either limit is
 * answered at once with 503 `ProxyBusy` (a caller can retry), and the requests already in are served.
 *
 * Decided here: 64 MiB of bodies (64 bodies of the default 1 MiB limit at once), 100,000 rows in flight (about
 * fourteen bodies of ordinary rows at the limit, a thousand bulk calls of the core's 100 rows), 10,000 rows in one
 * request (a 1 MiB body of ordinary rows holds about 7,000).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category constants
 */
export const rowsPerRequest = 10_000

/**
 * What one request holds; `release` gives it all back and may be called more than once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hold {
  /** Takes `bytes` more of body; false (and nothing taken) when that would pass the limit. */
  readonly addBytes: (bytes: number) => boolean
  /** Takes `rows` rows in flight; false (and nothing taken) when that would pass the limit. */
  readonly addRows: (rows: number) => boolean
  readonly release: () => void
}

/**
 * The hold of a request without a body (a single-API GET): it takes nothing, and holds nothing to give back.
 *
 * @since 0.1.0
 * @category constants
 */
export const none: Hold = { addBytes: () => false, addRows: () => false, release: () => undefined }

/**
 * @since 0.1.0
 * @category models
 */
export class Capacity {
  private bytes = 0
  private rows = 0

  constructor(
    readonly maxBytes = 64 * 1024 * 1024,
    readonly maxRows = 100_000
  ) {}

  /** A hold for one request, holding nothing yet. */
  hold(): Hold {
    let bytes = 0
    let rows = 0
    return {
      addBytes: (n) => {
        if (this.bytes + n > this.maxBytes) return false
        this.bytes += n
        bytes += n
        return true
      },
      addRows: (n) => {
        if (this.rows + n > this.maxRows) return false
        this.rows += n
        rows += n
        return true
      },
      release: () => {
        this.bytes -= bytes
        this.rows -= rows
        bytes = 0
        rows = 0
      }
    }
  }
}
