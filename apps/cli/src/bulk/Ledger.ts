/**
 * A run's ledger: the file next to `--output FILE` (`FILE.ledger`) that lets `--resume` continue a run safely.
 *
 * Allocation is not idempotent: a row sent twice takes two numbers. So the ledger records, before each chunk is
 * sent, how far the run has sent, and what it had read and written by then. One JSON object per line:
 * - the first line, the run's settings that decide what its results mean: the input's formats and the service
 *   (another setting, such as the batch size, may change between a run and its resumption);
 * - then one mark per chunk sent: `sent` (the last row, counted from 1, handed to the client), `input` and
 *   `sha256` (the input's first bytes, which hold every row sent, and their SHA-256: the input's fingerprint),
 *   `written` and `bytes` (results FILE held then: its first `bytes` bytes are `written` complete rows, with the
 *   SHA-256 `fileSha256`) and the tally of those rows; the run's last mark says `finished`.
 *
 * Every line is written with one synchronous write before the chunk it records is sent, so a crash (even SIGKILL,
 * which leaves what was written in the kernel's hands) leaves every mark of a chunk that went out. A torn last line
 * is one whose chunk never went out, and is dropped when the run resumes.
 *
 * The ledger holds no key: neither the key nor any row's parameters are written to it.
 */
import { closeSync, openSync, truncateSync, writeSync } from "node:fs"
import { lstat, open } from "node:fs/promises"
import * as CliFailure from "../CliFailure.ts"
import type { InputFormat, OutputFormat } from "../commands/bulk.ts"
import * as FileError from "../FileError.ts"
import { besideOutput } from "../output/BesideOutput.ts"
import * as Tally from "./Tally.ts"

/** The ledger of the file `output` names, beside the real file (see `BesideOutput`), as its lock is. */
export const pathOf = (output: string): string => besideOutput(output, ".ledger")

export interface Settings {
  readonly inputFormat: InputFormat
  readonly outputFormat: OutputFormat
  /** The bulk URL: results from a fake and from the service must not end up in one file. */
  readonly service: string
}

export interface Header extends Settings {
  readonly ledger: "ringpool bulk"
  readonly version: 1
  /** The input as it was named, for messages (the fingerprint, not the name, decides whether it is the same). */
  readonly input: string
  /**
   * How the input's rows were counted: `2` since a stray value between rows of a JSON array is a row of its own.
   * A ledger without it counted JSON input otherwise, so its row numbers name other rows now.
   */
  readonly reader?: 2
}

export interface Mark {
  readonly sent: number
  readonly input: number
  readonly sha256: string
  readonly written: number
  readonly bytes: number
  readonly tally: Tally.TallyRecord
  /** SHA-256 of FILE's first `bytes` bytes: a FILE changed since (anywhere in it) is not resumed. */
  readonly fileSha256?: string
  readonly finished?: true
  /** With `finished`: the input's size then (more than `input` when text after a JSON document was not read). */
  readonly inputSize?: number
}

export interface Recorded {
  readonly header: Header
  /** The last complete mark. */
  readonly mark: Mark
  /** Where the last complete line ends: a torn line after it is cut off before the ledger grows again. */
  readonly goodBytes: number
}

const isMark = (value: unknown): value is Mark => {
  const mark = value as Partial<Mark> | null
  const counts = [mark?.sent, mark?.input, mark?.written, mark?.bytes]
  return (
    mark !== null &&
    typeof mark === "object" &&
    counts.every((n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0) &&
    typeof mark.sha256 === "string" &&
    (mark.fileSha256 === undefined || typeof mark.fileSha256 === "string") &&
    (mark.inputSize === undefined || (Number.isSafeInteger(mark.inputSize) && mark.inputSize >= 0)) &&
    Tally.fromRecord(mark.tally) !== undefined
  )
}

const isHeader = (value: unknown): value is Header => {
  const header = value as Partial<Header> | null
  return (
    header !== null &&
    typeof header === "object" &&
    header.ledger === "ringpool bulk" &&
    header.version === 1 &&
    typeof header.input === "string" &&
    typeof header.inputFormat === "string" &&
    typeof header.outputFormat === "string" &&
    typeof header.service === "string"
  )
}

const parseLine = (line: string): unknown => {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

/** Lines of a mark are a few hundred bytes: the last one is within this much of the end. */
const tailBytes = 64 * 1024

/**
 * The ledger of `output`, or `undefined` when there is none. A ledger that is not one of ours (or is damaged
 * beyond its last line) is `"unreadable"`.
 */
export const read = async (output: string): Promise<Recorded | "unreadable" | undefined> => {
  const path = pathOf(output)
  // Not followed: a link would have the ledger written over whatever it points to, a pipe would hang the read.
  const info = await lstat(path).catch(() => undefined)
  if (info === undefined) return undefined
  if (!info.isFile()) {
    throw CliFailure.usage(`${path} is not a plain file (a link, a folder or a pipe), so it is no ledger: remove it`)
  }
  const size = info.size
  const handle = await open(path, "r")
  try {
    const readAt = async (position: number, length: number) => {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, position)
      return buffer.subarray(0, bytesRead)
    }
    const head = await readAt(0, Math.min(size, tailBytes))
    const headerEnd = head.indexOf(10)
    const header = headerEnd === -1 ? undefined : parseLine(head.subarray(0, headerEnd).toString("utf8"))
    if (!isHeader(header)) return "unreadable"
    const from = Math.max(headerEnd + 1, size - tailBytes)
    const tail = await readAt(from, size - from)
    // Complete lines end with a newline; the last one that is a mark is the run's state.
    let end = tail.lastIndexOf(10)
    while (end !== -1) {
      const start = tail.lastIndexOf(10, end - 1) + 1
      const value = parseLine(tail.subarray(start, end).toString("utf8"))
      if (isMark(value)) return { header, mark: value, goodBytes: from + end + 1 }
      end = start === 0 ? -1 : start - 1
    }
    return "unreadable"
  } finally {
    await handle.close()
  }
}

export interface Ledger {
  readonly mark: (mark: Mark) => void
  readonly close: () => void
}

const writeAll = (path: string, fd: number, text: string) => {
  const bytes = Buffer.from(text)
  FileError.whileWriting(path, () => {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at)
  })
}

const opened = (path: string, fd: number): Ledger => ({
  mark: (mark) => writeAll(path, fd, `${JSON.stringify(mark)}\n`),
  close: () => closeSync(fd)
})

/** A new ledger for `output` (replacing any), with its header and first mark. */
export const create = (output: string, header: Header, first: Mark): Ledger => {
  const path = pathOf(output)
  const fd = FileError.whileWriting(path, () => openSync(path, "w"))
  writeAll(path, fd, `${JSON.stringify(header)}\n${JSON.stringify(first)}\n`)
  return opened(path, fd)
}

/** The ledger of a resumed run: cut after its last complete line, then grown from there. */
export const reopen = (output: string, recorded: Recorded): Ledger => {
  const path = pathOf(output)
  return opened(
    path,
    FileError.whileWriting(path, () => {
      truncateSync(path, recorded.goodBytes)
      return openSync(path, "a")
    })
  )
}
