/**
 * Where bulk rows come from: a file or standard input (`-`), in one of three formats, as a stream that reads
 * ahead only as far as the consumer pulls (Node's stream backpressure), so memory does not grow with the input.
 */
import { open } from "node:fs/promises"
import type { Readable } from "node:stream"
import { Effect, Stream } from "effect"
import * as FileError from "../FileError.ts"
import * as CsvDecoder from "./CsvDecoder.ts"
import { type Decoder, UnreadableInput } from "./Decoder.ts"
import type { InputRow } from "./InputRow.ts"
import * as JsonDecoder from "./JsonDecoder.ts"
import * as NdjsonDecoder from "./NdjsonDecoder.ts"

export const inputFormats = ["ndjson", "csv", "json"] as const
export type InputFormat = (typeof inputFormats)[number]

const decoders: Record<InputFormat, () => Decoder> = {
  ndjson: NdjsonDecoder.make,
  csv: CsvDecoder.make,
  json: JsonDecoder.make
}

/**
 * The format of a file: the flag when given, else its extension (`.csv`, `.json`), else NDJSON (also for stdin).
 * `.json` files that hold one object per line are common too: `--input-format ndjson` reads those.
 */
export const formatOf = (path: string, flag: InputFormat | undefined): InputFormat => {
  if (flag !== undefined) return flag
  const lower = path.toLowerCase()
  if (lower.endsWith(".csv")) return "csv"
  if (lower.endsWith(".json")) return "json"
  return "ndjson"
}

const cannotRead = (path: string, reason: string) =>
  new UnreadableInput({ message: `cannot read ${path === "-" ? "standard input" : path}: ${reason}` })

const unreadable = (path: string, error: unknown) =>
  error instanceof UnreadableInput ? error : cannotRead(path, FileError.describe(error))

async function* decode(source: Readable, decoder: Decoder): AsyncGenerator<ReadonlyArray<InputRow>> {
  let first = true
  for await (const chunk of source as AsyncIterable<string>) {
    // A byte order mark (spreadsheets write one) is not part of the first column's name.
    const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk
    first = false
    const rows = decoder.push(text)
    if (rows.length > 0) yield rows
  }
  const rest = decoder.end()
  if (rest.length > 0) yield rest
}

/**
 * Opens the input at once (so that a missing file is reported before anything else happens) and streams its rows,
 * as arrays: the rows completed by each piece of input read (up to 64 KiB; less when a pipe trickles).
 */
export const rowsOf = (
  path: string,
  format: InputFormat
): Effect.Effect<Stream.Stream<ReadonlyArray<InputRow>, UnreadableInput>, UnreadableInput> =>
  Effect.gen(function* () {
    let source: Readable
    if (path === "-") {
      process.stdin.setEncoding("utf8")
      source = process.stdin
    } else {
      const handle = yield* Effect.tryPromise({ try: () => open(path, "r"), catch: (error) => unreadable(path, error) })
      const isDirectory = yield* Effect.tryPromise({
        try: async () => (await handle.stat()).isDirectory(),
        catch: (error) => unreadable(path, error)
      })
      if (isDirectory) {
        yield* Effect.promise(() => handle.close())
        return yield* Effect.fail(cannotRead(path, "it is a directory"))
      }
      source = handle.createReadStream({ encoding: "utf8", highWaterMark: 64 * 1024 })
    }
    return Stream.fromAsyncIterable(decode(source, decoders[format]()), (error) => unreadable(path, error))
  })
