/**
 * A bulk run: rows in, one result per row out, in input order, with flat memory.
 *
 * The rows of each piece of input read are cut into chunks of at most `maxBatchSize`; each chunk is one `allocateAll`
 * (one bulk call), and at most `concurrency` chunks are in flight. `Stream.mapEffect` keeps the chunks' order, so rows
 * come out in input order whatever answers first; and the stream pulls the input only as fast as results are written,
 * so at most about `concurrency` chunks are held at once.
 *
 * It is the core's `allocateStream`, with two differences: lines that could not be read pass through in their place
 * unsent; and rows travel through the stream as arrays, never one by one, which keeps the stream's own work (and
 * garbage) per chunk instead of per row. Nothing waits to fill a chunk: a pipe that trickles gets small bulk calls at
 * once, a file gets full ones.
 */
import type { RingPoolClient } from "@ringpool/core"
import { Effect, Stream } from "effect"
import type { UnreadableInput } from "../input/Decoder.ts"
import type { InputRow } from "../input/InputRow.ts"
import * as ResultRow from "../output/ResultRow.ts"

const allocateChunk = (
  client: RingPoolClient.RingPoolClient["Service"],
  chunk: ReadonlyArray<InputRow>
): Effect.Effect<Array<ResultRow.ResultRow>> => {
  const requests = []
  for (const row of chunk) if ("request" in row) requests.push(row.request)
  const resultsOf = (outcomes: ReadonlyArray<RingPoolClient.Outcome>) => {
    let next = 0
    return chunk.map((row) =>
      "request" in row
        ? ResultRow.fromOutcome(row.line, row.request.requestId, outcomes[next++]!)
        : ResultRow.fromInvalid(row)
    )
  }
  return requests.length === 0 ? Effect.succeed(resultsOf([])) : Effect.map(client.allocateAll(requests), resultsOf)
}

export interface Options {
  readonly maxBatchSize: number
  readonly concurrency: number
}

/** Cuts `rows` into chunks of at most `size`. */
export const chunksOf = <A>(rows: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  if (rows.length <= size) return [rows]
  const chunks: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size))
  return chunks
}

/** The results of `rows`, chunk by chunk, in input order. */
export const results = (
  client: RingPoolClient.RingPoolClient["Service"],
  rows: Stream.Stream<ReadonlyArray<InputRow>, UnreadableInput>,
  options: Options
): Stream.Stream<Array<ResultRow.ResultRow>, UnreadableInput> =>
  rows.pipe(
    Stream.map((read) => chunksOf(read, options.maxBatchSize)),
    Stream.flattenIterable,
    Stream.mapEffect((chunk) => allocateChunk(client, chunk), { concurrency: options.concurrency })
  )
