/**
 * Where bulk rows come from: a file or standard input (`-`), in one of three formats, read ahead only as far as
 * the consumer pulls (Node's stream backpressure), so memory does not grow with the input.
 *
 * The input is read as bytes and fingerprinted as it is read (SHA-256 of every byte so far): a run's ledger records
 * the fingerprint of what it had read when it sent each chunk, so that `--resume` can tell the same input from
 * another one. Hashing costs about 0.5 ns a byte, next to microseconds of work a row.
 */
import { createHash, type Hash } from "node:crypto"
import { open as openFile } from "node:fs/promises"
import type { Readable } from "node:stream"
import { StringDecoder } from "node:string_decoder"
import type { InputFormat } from "../commands/bulk.ts"
import * as FileError from "../FileError.ts"
import { type Decoder, UnreadableInput } from "./Decoder.ts"
import type { InputRow } from "./InputRow.ts"

/** The format of a file: the flag when given, else its extension (`.csv`, `.json`), else NDJSON (also for stdin). */
export const formatOf = (path: string, flag: InputFormat | undefined): InputFormat => {
  if (flag !== undefined) return flag
  const lower = path.toLowerCase()
  if (lower.endsWith(".csv")) return "csv"
  if (lower.endsWith(".json")) return "json"
  return "ndjson"
}

const decoderOf = async (format: InputFormat): Promise<Decoder> => {
  switch (format) {
    case "ndjson":
      return (await import("./NdjsonDecoder.ts")).make()
    case "json":
      return (await import("./JsonDecoder.ts")).make()
    case "csv":
      // csv-parse is loaded only for CSV input.
      return (await import("./CsvDecoder.ts")).make()
  }
}

const cannotRead = (path: string, reason: string) =>
  new UnreadableInput({ message: `cannot read ${path === "-" ? "standard input" : path}: ${reason}` })

const unreadable = (path: string, error: unknown) =>
  error instanceof UnreadableInput ? error : cannotRead(path, FileError.describe(error))

export interface Source {
  /** The rows completed by each piece of input read (up to 64 KiB; less when a pipe trickles). */
  readonly reads: AsyncIterable<ReadonlyArray<InputRow>>
  /** SHA-256 (hex) of the bytes read so far: while a `Read` is being handled, of the input up to its end. */
  readonly digest: () => string
  /** Bytes read so far. */
  readonly bytesRead: () => number
  /** Stops reading (Ctrl-C): the rows come to an end, even when a pipe is waiting for more. */
  readonly stop: () => void
}

/** Characters handed to a decoder at a time: about a hundred rows of a few dozen characters. */
const decodeChars = 8 * 1024

/** The bytes read so far and their hash, moved together. */
interface Fingerprint {
  readonly hash: Hash
  bytes: number
}

async function* decode(
  source: Readable,
  decoder: Decoder,
  seen: Fingerprint,
  path: string
): AsyncGenerator<ReadonlyArray<InputRow>> {
  const text = new StringDecoder("utf8")
  let first = true
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      seen.hash.update(chunk)
      seen.bytes += chunk.length
      let piece = text.write(chunk)
      // A byte order mark (spreadsheets write one) is not part of the first column's name.
      if (first && piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1)
      if (piece !== "") first = false
      // Decoded a part at a time, as the run pulls: the rows of a whole read would wait, alive, for their turn.
      for (let at = 0; at < piece.length; at += decodeChars) {
        const rows = decoder.push(at === 0 && piece.length <= decodeChars ? piece : piece.slice(at, at + decodeChars))
        if (rows.length > 0) yield rows
      }
    }
    const tail = text.end()
    const rows = tail === "" ? decoder.end() : [...decoder.push(tail), ...decoder.end()]
    if (rows.length > 0) yield rows
  } catch (error) {
    // Stopped on purpose: the rows read so far are all there is.
    if (source.destroyed && (error as { code?: unknown }).code === "ERR_STREAM_PREMATURE_CLOSE") return
    throw unreadable(path, error)
  }
}

/**
 * Opens the input at once (so that a missing file is reported before anything else happens) and streams its rows.
 */
export const open = async (path: string, format: InputFormat): Promise<Source> => {
  let source: Readable
  if (path === "-") source = process.stdin
  else {
    const handle = await openFile(path, "r").catch((error: unknown) => {
      throw unreadable(path, error)
    })
    const isDirectory = await handle.stat().then(
      (stat) => stat.isDirectory(),
      (error: unknown) => {
        throw unreadable(path, error)
      }
    )
    if (isDirectory) {
      await handle.close()
      throw cannotRead(path, "it is a directory")
    }
    source = handle.createReadStream({ highWaterMark: 64 * 1024 })
  }
  const seen: Fingerprint = { hash: createHash("sha256"), bytes: 0 }
  let cached: { readonly bytes: number; readonly digest: string } | undefined
  return {
    reads: decode(source, await decoderOf(format), seen, path),
    digest: () => {
      // One digest per piece read, however many chunks are sent from it.
      if (cached?.bytes !== seen.bytes) cached = { bytes: seen.bytes, digest: seen.hash.copy().digest("hex") }
      return cached.digest
    },
    bytesRead: () => seen.bytes,
    stop: () => source.destroy()
  }
}

/**
 * `hash` (a new SHA-256 if none) updated with bytes `from` to `to` of a file, or `undefined` when it holds fewer.
 * Reads in pieces, never the whole file at once.
 */
export const hashRange = async (
  path: string,
  from: number,
  to: number,
  hash: Hash = createHash("sha256")
): Promise<Hash | undefined> => {
  const handle = await openFile(path, "r").catch((error: unknown) => {
    throw unreadable(path, error)
  })
  try {
    const buffer = Buffer.alloc(Math.min(1024 * 1024, Math.max(to - from, 1)))
    let at = from
    while (at < to) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - at), at)
      if (bytesRead === 0) return undefined
      hash.update(buffer.subarray(0, bytesRead))
      at += bytesRead
    }
    return hash
  } finally {
    await handle.close()
  }
}

/** Bytes `from` to `to` of a file as text (the caller bounds the range). */
export const readRange = async (path: string, from: number, to: number): Promise<string> => {
  const handle = await openFile(path, "r").catch((error: unknown) => {
    throw unreadable(path, error)
  })
  try {
    const buffer = Buffer.alloc(Math.max(to - from, 0))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from)
    return buffer.subarray(0, bytesRead).toString("utf8")
  } finally {
    await handle.close()
  }
}

/**
 * SHA-256 (hex) of the first `bytes` bytes of a file, or `undefined` when it holds fewer: what `--resume` compares
 * with the fingerprint its ledger recorded.
 */
export const prefixDigest = async (path: string, bytes: number): Promise<string | undefined> =>
  (await hashRange(path, 0, bytes))?.digest("hex")
