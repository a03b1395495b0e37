/**
 * A bulk run: rows in, one result per row out, in input order, with memory bounded by construction.
 *
 * Rows are cut into chunks of at most `maxBatchSize` rows and at most `chunkChars` characters (so that a file of
 * 1 MB rows does not put a thousand of them in one call); each chunk is one `allocateAll` (one bulk call). At
 * most `concurrency` chunks are between "sent" and "written" at any time: a new chunk is sent only when the oldest
 * one's results are written. So whatever the input's length, the run holds at most `concurrency` chunks, one
 * piece of input (64 KiB) and the output's buffer; and at a crash, at most `concurrency x maxBatchSize` rows were
 * sent without their results being written (what `--resume` may send again).
 *
 * Results are written in input order as soon as the oldest chunk is answered, not when the next one needs a slot:
 * a pipe that trickles gets its results at once. Plain code on purpose: it runs per chunk, and an Effect stream's
 * own work per chunk would be a sizeable share of a chunk's cost at 100 rows.
 *
 * A part-filled chunk at the end of a read waits up to 2 ms for the next read: a file's next read comes in well
 * under that and fills it (full calls of `maxBatchSize` rows, not one short call per 64 KiB read), and a pipe that
 * trickles still gets its rows sent almost at once.
 */
import { UnreadableInput } from "../input/Decoder.ts"
import type { InputRow } from "../input/InputRow.ts"
import type { ResultRow } from "../output/ResultRow.ts"

export interface Plan {
  readonly reads: AsyncIterable<ReadonlyArray<InputRow>>
  /** Rows at the start of the input whose results the output already holds: read, never sent. */
  readonly skip: number
  /** The last row (counted from 1) that an earlier run may have sent without writing its result. */
  readonly inFlightThrough: number
  readonly maxBatchSize: number
  readonly concurrency: number
  readonly chunkChars: number
  /** The results of one chunk, in its order. Must not reject (a row's failure is a result). */
  readonly resolve: (rows: ReadonlyArray<InputRow>) => Promise<Array<ResultRow>> | Array<ResultRow>
  /** Called before a chunk is resolved, with its last row's number (counted from 1). */
  readonly beforeSend: (lastRow: number) => void
  readonly write: (results: ReadonlyArray<ResultRow>) => void | Promise<void>
  /** Checked between chunks: once true, no further chunk is sent, and the ones sent are still written. */
  readonly stopRequested: () => boolean
}

export interface Ran {
  /** Rows read in this run (after those skipped). */
  readonly rows: number
  /** Rows an earlier run may have sent already that were sent again (valid rows within `inFlightThrough`). */
  readonly resent: number
  readonly stopped: boolean
  /** The input could not be read on (e.g. text after a JSON document): the rows before it still have results. */
  readonly unreadable: UnreadableInput | undefined
}

/** How long a part-filled chunk waits for more rows before it is sent anyway. */
const lingerMs = 2

const lingered = Symbol("lingered")

const linger = () =>
  new Promise<typeof lingered>((resolve) => {
    setTimeout(() => resolve(lingered), lingerMs)
  })

interface Pending {
  results: ReadonlyArray<ResultRow> | undefined
}

export const run = async (plan: Plan): Promise<Ran> => {
  const pending: Array<Pending> = []
  let failure: { readonly error: unknown } | undefined
  let wake: (() => void) | undefined
  let writing = false

  // Writes every answered chunk at the head of the queue, in order, one writer at a time. Whenever the head is
  // answered, a flush is running or is started by `settle`, so no answered head is left waiting.
  const flush = async () => {
    if (writing) return
    writing = true
    try {
      while (failure === undefined && pending.length > 0 && pending[0]!.results !== undefined) {
        const head = pending.shift()!
        const written = plan.write(head.results!)
        if (written !== undefined) await written
        wake?.()
      }
    } catch (error) {
      failure ??= { error }
      wake?.()
    } finally {
      writing = false
    }
  }

  const settle = (entry: Pending, results: ReadonlyArray<ResultRow>) => {
    entry.results = results
    if (entry === pending[0]) void flush()
  }

  const fail = (error: unknown) => {
    failure ??= { error }
    wake?.()
  }

  /** Resolves at the next write (or failure). */
  const written = () =>
    new Promise<void>((resolve) => {
      wake = () => {
        wake = undefined
        resolve()
      }
    })

  let index = 0
  let rows = 0
  let resent = 0
  let stopped = false
  let chunk: Array<InputRow> = []
  let chars = 0

  /** Sends the chunk once a slot is free; false when the run must end instead. */
  const send = async (): Promise<boolean> => {
    while (pending.length >= plan.concurrency && failure === undefined) await written()
    if (failure !== undefined) return false
    if (plan.stopRequested()) {
      stopped = true
      return false
    }
    const rowsOfChunk = chunk
    chunk = []
    chars = 0
    const first = index - rowsOfChunk.length + 1
    rows += rowsOfChunk.length
    for (let i = 0; i < rowsOfChunk.length && first + i <= plan.inFlightThrough; i++) {
      if ("request" in rowsOfChunk[i]!) resent++
    }
    plan.beforeSend(index)
    const entry: Pending = { results: undefined }
    pending.push(entry)
    const results = plan.resolve(rowsOfChunk)
    if (Array.isArray(results)) settle(entry, results)
    else results.then((answered) => settle(entry, answered), fail)
    return true
  }

  let unreadable: UnreadableInput | undefined
  const reads = plan.reads[Symbol.asyncIterator]()
  try {
    reading: for (;;) {
      const next = reads.next()
      // A chunk part-filled at the end of a read waits for the next read only briefly: a file's next read comes
      // at once and fills it (full bulk calls), a pipe that trickles gets its rows sent within `lingerMs`.
      let read = chunk.length === 0 ? await next : await Promise.race([next, linger()])
      if (read === lingered) {
        if (!(await send())) break
        read = await next
      }
      if (read.done === true) break
      for (const row of read.value) {
        if (++index <= plan.skip) continue
        chunk.push(row)
        if ("request" in row) chars += row.size
        if ((chunk.length >= plan.maxBatchSize || chars >= plan.chunkChars) && !(await send())) {
          break reading
        }
      }
    }
  } catch (error) {
    if (!(error instanceof UnreadableInput)) throw error
    unreadable = error
  } finally {
    // Not awaited: a read may still be waiting on a pipe; it ends the generator when it comes (or the input closes).
    void reads.return?.()
  }
  // The rows read before the input ended (or turned out unreadable) still run, unless the run was stopped.
  if (chunk.length > 0 && !stopped && failure === undefined) await send()
  // A stop may also end the input itself (a pipe waiting for more): the run stopped all the same.
  if (plan.stopRequested()) stopped = true
  while (pending.length > 0 && failure === undefined) await written()
  if (failure !== undefined) throw failure.error
  return { rows, resent, stopped, unreadable }
}
