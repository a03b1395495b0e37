/**
 * CSV (RFC 4180) with a header row, read by csv-parse's streaming parser. Decisions the spec leaves open:
 * - The first record names the columns (names are trimmed). It needs a `ring_pool_id` or an `api_suffix` column,
 *   and no name twice; otherwise the file is unreadable (exit 1).
 * - Every other column is a parameter, in column order; an empty cell is a parameter with an empty value, except
 *   `ring_pool_key` and `request_id`, where an empty cell means "none" (the default key, no request id).
 * - A row's line number is the physical line where its record starts (the header is line 1); a quoted field may
 *   span lines; `\n` and `\r\n` both end a line. Blank lines are not rows. A file whose lines end in `\r` alone is
 *   refused (its header would swallow every line) with what to save it as, and a record holding a `\r` alone is an
 *   error row (two rows run together, most likely).
 * - A record that is not valid CSV (bad quoting, longer than 1 MiB) or has another number of fields than the header
 *   becomes an error row, and reading goes on: one stray quote costs one row, even when it swallowed the lines after
 *   it (a quote never closed, or closed badly lines later).
 *
 * What csv-parse does: splitting records and fields, quotes and escapes, line endings, the record size limit.
 * What it cannot do, and so is ours (`resume` below): carry on after a broken record. Once it meets one, a parser
 * stops (and with `skip_records_with_error` it reads on inside the broken quote, so the lines the quote swallowed
 * are lost, each of them a row). So we keep the bytes since the last good record, and after a broken record start
 * a new parser on the line after that record's first line. We also number the lines ourselves, from the bytes
 * each record took (csv-parse's `info.bytes`), since its own line count is off around `\r\n` split across reads.
 */
import { Parser } from "csv-parse"
import { type Decoder, maxRecordChars, tooLong, UnreadableInput } from "./Decoder.ts"
import { fromFields, type InputRow, invalid } from "./InputRow.ts"

const describeCsvError = (code: unknown): string => {
  // csv-parse's messages may quote the field (a key, perhaps): describe by code only.
  switch (code) {
    case "CSV_INVALID_CLOSING_QUOTE":
      return "bad CSV quoting: a quoted field must be followed by a comma or the end of the line"
    case "INVALID_OPENING_QUOTE":
      return 'bad CSV quoting: a quote inside an unquoted field (quote the whole field and write a quote as "")'
    case "CSV_QUOTE_NOT_CLOSED":
      return "bad CSV quoting: a quoted field is never closed"
    case "CSV_MAX_RECORD_SIZE":
      return tooLong
    default:
      return "not valid CSV"
  }
}

interface Parsed {
  readonly record: Array<string>
  readonly info: { readonly bytes: number }
}

/**
 * A carriage return alone in a cell: most likely lines that end in one (a file edited on an old Mac), which CSV
 * reads as one record, two rows' cells run together; sent, it would be one allocation for two rows.
 */
const loneReturn = /\r(?!\n)/
const loneReturnProblem =
  "a field holds a carriage return alone: lines that end in one are read as a single record here; save the file with \\n or \\r\\n line ends"

const NEWLINE = 10
const RETURN = 13
const SPACE = 32
const TAB = 9

const newParser = () => {
  const parser = new Parser({
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
    max_record_size: maxRecordChars
  })
  // Its errors are read from `errored` right after each write; the event itself has nothing more to say.
  parser.on("error", () => undefined)
  return parser
}

const separatorName = (mark: string) => (mark === "\t" ? "tabs" : `'${mark}'`)

export const make = (): Decoder => {
  let header: Array<string> | undefined
  let parser = newParser()
  /** Bytes fed to the current parser and not yet taken by a good record: where a broken record is read again. */
  let pending: Buffer = Buffer.alloc(0)
  /** Where `pending` grows: room kept after it, so that a long record is not copied whole at every piece. */
  let room: Buffer = Buffer.alloc(0)
  /** The line `pending[0]` is on. */
  let line = 1
  /** After a broken record that has no line break yet: bytes are dropped until the next one. */
  let skippingLine = false
  /** Bytes the current parser was fed before `pending` (its `info.bytes` count from its own start). */
  let taken = 0

  /**
   * Moves past `length` bytes of `pending` (a record and the blank lines before it), counting its lines. Returns
   * the line of its first byte that is not a line break, or 0 when the record is only spaces and tabs (a blank line
   * too, not a row with one empty field; `""` is a row).
   */
  const take = (length: number): number => {
    let start = 0
    // Blank lines before a record belong to no row.
    while (start < length && (pending[start] === NEWLINE || pending[start] === RETURN)) {
      if (pending[start] === NEWLINE) line++
      start++
    }
    const first = line
    let blank = true
    for (let at = start; at < length; at++) {
      const byte = pending[at]
      if (byte === NEWLINE) line++
      else if (blank && byte !== SPACE && byte !== TAB && byte !== RETURN) blank = false
    }
    pending = pending.subarray(length)
    taken += length
    return blank ? 0 : first
  }

  const readHeader = (fields: Array<string>): Array<string> => {
    const names = fields.map((name) => name.trim())
    const seen = new Set<string>()
    names.forEach((name, i) => {
      if (name === "") throw new UnreadableInput({ message: `column ${i + 1} of the CSV header has no name` })
      // Lines ended by a carriage return alone (Excel for Mac's "CSV (Macintosh)") read as one long header line.
      if (/[\r\n]/.test(name)) {
        throw new UnreadableInput({
          message:
            'the CSV header holds a line break inside a column name: lines that end in a carriage return alone (Excel\'s "CSV (Macintosh)") are not read; save the file as "CSV UTF-8" or with \\n or \\r\\n line ends'
        })
      }
      if (seen.has(name))
        throw new UnreadableInput({ message: `the CSV header names column ${JSON.stringify(name)} twice` })
      seen.add(name)
    })
    // Excel's first line naming the separator (`sep=;`) is not a header.
    if (/^sep=.?$/i.test(names[0]!)) {
      throw new UnreadableInput({
        message:
          "the CSV file begins with Excel's sep= line, not a header: remove that line (and save the file with commas between fields)"
      })
    }
    if (!seen.has("ring_pool_id") && !seen.has("api_suffix")) {
      // A spreadsheet set to another list separator writes `ring_pool_id;m1`: one column of that name.
      const separator = [";", "\t", "|"].find((mark) =>
        names.some((name) => name.split(mark).some((piece) => /^(ring_pool_id|api_suffix)$/.test(piece.trim())))
      )
      throw new UnreadableInput({
        message:
          separator === undefined
            ? "the CSV header has no ring_pool_id column (or api_suffix column): the first line must name the columns"
            : `the CSV header has no ring_pool_id column (or api_suffix column): its names are separated by ${separatorName(separator)}, and ringpool bulk reads CSV with commas between fields; save the file with commas`
      })
    }
    return names
  }

  const onRecord = (rows: Array<InputRow>, { record, info }: Parsed) => {
    const at = take(info.bytes - taken)
    if (at === 0) return
    if (header === undefined) header = readHeader(record)
    else if (record.some((cell) => loneReturn.test(cell))) rows.push(invalid(at, loneReturnProblem))
    else if (record.length !== header.length) {
      rows.push(invalid(at, `${record.length} fields, but the header names ${header.length} columns`))
    } else rows.push(fromFields(at, header, record))
  }

  const drain = (rows: Array<InputRow>) => {
    for (let parsed = parser.read() as Parsed | null; parsed !== null; parsed = parser.read() as Parsed | null) {
      onRecord(rows, parsed)
    }
  }

  /**
   * After a broken record: its first line is an error row, and a new parser is to start on the line after it.
   * Returns the bytes to feed it, or `undefined` when that line has not ended yet (its rest is dropped as it comes).
   */
  const resume = (rows: Array<InputRow>, problem: string): Buffer | undefined => {
    let start = 0
    while (start < pending.length && (pending[start] === NEWLINE || pending[start] === RETURN)) {
      if (pending[start] === NEWLINE) line++
      start++
    }
    if (header === undefined) {
      // Quoted names with another list separator (`"ring_pool_id";"m1"`) read as bad quoting: say what they are.
      const firstLine = pending.subarray(0, 4096).toString("utf8").split(/\r?\n/)[0]!
      const separator = [";", "\t", "|"].find((mark) => firstLine.includes(`"${mark}"`))
      throw new UnreadableInput({
        message:
          separator === undefined
            ? `the CSV header is unreadable: ${problem}`
            : `the CSV header is unreadable: ${problem}; its names are separated by ${separatorName(separator)}, and ringpool bulk reads CSV with commas between fields; save the file with commas`
      })
    }
    rows.push(invalid(line, problem))
    const end = pending.indexOf(NEWLINE, start)
    const rest = end === -1 ? undefined : pending.subarray(end + 1)
    parser.destroy()
    parser = newParser()
    taken = 0
    pending = Buffer.alloc(0)
    if (rest === undefined) skippingLine = true
    else line++
    return rest
  }

  /**
   * `bytes` after `pending`. A record cut by a piece's end (always, for one that spans many pieces: up to 1 MiB
   * inside a quote never closed) is copied once a doubling of its room, not once a piece.
   */
  const append = (bytes: Buffer) => {
    if (pending.length === 0) {
      pending = bytes
      return
    }
    const at = pending.buffer === room.buffer ? pending.byteOffset - room.byteOffset : -1
    if (at !== -1 && at + pending.length + bytes.length <= room.length) {
      bytes.copy(room, at + pending.length)
      pending = room.subarray(at, at + pending.length + bytes.length)
      return
    }
    const grown = Buffer.allocUnsafe(Math.max(2 * (pending.length + bytes.length), 64 * 1024))
    pending.copy(grown, 0)
    bytes.copy(grown, pending.length)
    room = grown
    pending = grown.subarray(0, pending.length + bytes.length)
  }

  const feed = (rows: Array<InputRow>, bytes: Buffer | undefined) => {
    // A loop, not a recursion: a piece of input may hold thousands of broken lines.
    while (bytes !== undefined) {
      if (skippingLine) {
        const end = bytes.indexOf(NEWLINE)
        if (end === -1) return
        skippingLine = false
        line++
        bytes = bytes.subarray(end + 1)
      }
      append(bytes)
      parser.write(bytes)
      drain(rows)
      const error = parser.errored as { code?: unknown } | null
      bytes = error === null ? undefined : resume(rows, describeCsvError(error.code))
    }
  }

  return {
    push: (text) => {
      const rows: Array<InputRow> = []
      feed(rows, Buffer.from(text))
      return rows
    },
    end: () => {
      const rows: Array<InputRow> = []
      while (!skippingLine) {
        parser.end()
        drain(rows)
        const error = parser.errored as { code?: unknown } | null
        if (error === null) break
        // A broken record at the end (a quote never closed): the lines after its first are read again.
        feed(rows, resume(rows, describeCsvError(error.code)))
      }
      return rows
    }
  }
}
