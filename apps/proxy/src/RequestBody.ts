/**
 * A request's body, read up to a limit: a bigger one is refused as soon as it is known to be bigger (its
 * `content-length`, or the first chunk past the limit), so memory stays bounded whatever a caller sends; so is one
 * that would pass what all bodies together may hold, and one still arriving when the request's budget ends. Reading
 * always settles, so that a request whose caller went away mid-body still ends (and `close()` is not left waiting).
 *
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"
import { BudgetExceeded } from "./Budget.ts"
import type * as Capacity from "./Capacity.ts"

/**
 * The body was larger than the limit; what arrived of it was dropped.
 *
 * @since 0.1.0
 * @category models
 */
export class TooLarge {
  constructor(readonly limit: number) {}
}

/**
 * The body did not arrive whole: the connection closed or broke before its end.
 *
 * @since 0.1.0
 * @category models
 */
export class Unfinished {}

/**
 * The body would take the proxy past what all bodies together may hold (see `Capacity`): nothing more of it is read.
 *
 * @since 0.1.0
 * @category models
 */
export class Busy {}

/**
 * The body did not arrive whole within the request's budget.
 *
 * @since 0.1.0
 * @category models
 */
export class TimedOut {}

/**
 * Why a body was not read.
 *
 * @since 0.1.0
 * @category models
 */
export type Refused = TooLarge | Unfinished | Busy | TimedOut

/**
 * Reads the body as UTF-8 text, its bytes counted in `hold` (a declared `content-length` at once, so that a body
 * that stalls holds its place from the start), until `signal` (the request's budget) ends the wait.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (
  req: IncomingMessage,
  limit: number,
  hold: Capacity.Hold,
  signal: AbortSignal
): Promise<string | Refused> => {
  const declared = Number(req.headers["content-length"])
  if (declared > limit) return Promise.resolve(new TooLarge(limit))
  let held = Number.isSafeInteger(declared) && declared > 0 ? declared : 0
  if (!hold.addBytes(held)) return Promise.resolve(new Busy())
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let settled = false
    const settle = (result: string | Refused) => {
      if (settled) return
      settled = true
      signal.removeEventListener("abort", timedOut)
      if (typeof result !== "string") {
        req.off("data", onData)
        chunks.length = 0
        // The rest is read and dropped until the connection closes, so that the answer is not stuck behind it.
        req.resume()
      }
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) return settle(new TooLarge(limit))
      if (size > held) {
        if (!hold.addBytes(size - held)) return settle(new Busy())
        held = size
      }
      chunks.push(chunk)
    }
    // The budget ran out, or the caller went away (then the body will not come either).
    const timedOut = () => settle(signal.reason instanceof BudgetExceeded ? new TimedOut() : new Unfinished())
    if (signal.aborted) return timedOut()
    signal.addEventListener("abort", timedOut, { once: true })
    req.on("data", onData)
    req.once("end", () => settle(Buffer.concat(chunks, size).toString("utf8")))
    // After `end` these change nothing: a promise settles once.
    const unfinished = () => settle(new Unfinished())
    req.once("error", unfinished)
    req.once("close", unfinished)
  })
}
