/**
 * CSV (RFC 4180) with a header row. Decisions the spec leaves open:
 * - The first record names the columns (names are trimmed). It needs a `ring_pool_id` or an `api_suffix` column,
 *   and no name twice; otherwise the file is unreadable (exit 1).
 * - Every other column is a parameter, in column order; an empty cell is a parameter with an empty value, except
 *   `ring_pool_key` and `request_id`, where an empty cell means "none" (the default key, no request id).
 * - A row's line number is the physical line where its record starts (the header is line 1); a quoted field may
 *   span lines. Blank lines are not rows.
 * - A record that is not valid CSV (bad quoting) or has another number of fields than the header becomes an error
 *   row, and reading goes on at the next record. csv-parse alone cannot do that: after a bad quote it reads the
 *   following lines as part of the broken field. So records are first delimited here, by a small quote-aware
 *   scanner, and each record's fields are then parsed by csv-parse. A broken record that runs over several lines
 *   (a quote never closed, or closed badly lines later) makes an error row of its first line, and the lines after
 *   it are read again: one stray quote costs one row.
 */
import { parse } from "csv-parse/sync"
import { type Decoder, maxRecordChars, tooLong, UnreadableInput } from "./Decoder.ts"
import { fromFields, type InputRow, invalid } from "./InputRow.ts"

interface RawRecord {
  readonly line: number
  readonly text: string
}

/** Where the scanner is within a record. */
const State = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** A quote inside a quoted field: either the field's end or the first half of an escaped `""`. */
  QuoteInQuoted: 3
} as const
type State = (typeof State)[keyof typeof State]

const describeCsvError = (error: unknown): string => {
  // csv-parse's messages may quote the field (a key, perhaps): describe by code only.
  switch ((error as { code?: unknown }).code) {
    case "CSV_INVALID_CLOSING_QUOTE":
      return "bad CSV quoting: a quoted field must be followed by a comma or the end of the line"
    case "INVALID_OPENING_QUOTE":
      return 'bad CSV quoting: a quote inside an unquoted field (quote the whole field and write a quote as "")'
    case "CSV_QUOTE_NOT_CLOSED":
      return "bad CSV quoting: a quoted field is never closed"
    default:
      return "not valid CSV"
  }
}

/**
 * Splits text into records at line breaks outside quoted fields. Holds at most one unfinished record.
 */
class RecordScanner {
  private state: State = State.FieldStart
  private line = 1
  private recordLine = 1
  private pending = ""
  private discarding = false

  constructor(private readonly onBroken: (line: number, problem: string) => void) {}

  push(text: string, records: Array<RawRecord>): void {
    let start = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 10 /* \n */) {
        if (this.state === State.Quoted) {
          this.line++
          continue
        }
        this.finish(this.pending + text.slice(start, i + 1), records)
        start = i + 1
        continue
      }
      if (this.discarding) continue
      switch (this.state) {
        case State.FieldStart:
          this.state = c === 34 /* " */ ? State.Quoted : c === 44 /* , */ ? State.FieldStart : State.Unquoted
          break
        case State.Unquoted:
          if (c === 44) this.state = State.FieldStart
          break
        case State.Quoted:
          if (c === 34) this.state = State.QuoteInQuoted
          break
        case State.QuoteInQuoted:
          // `""` is an escaped quote; anything else ends the field (csv-parse judges whether validly).
          this.state = c === 34 ? State.Quoted : c === 44 ? State.FieldStart : State.Unquoted
          break
      }
    }
    if (this.discarding) return
    this.pending += text.slice(start)
    if (this.pending.length > maxRecordChars) {
      if (this.state === State.Quoted) {
        this.rescan(this.recordLine, this.pending, "bad CSV quoting: a quoted field is never closed", records)
      } else {
        // Reported when its line ends (or the input does).
        this.pending = ""
        this.discarding = true
      }
    }
  }

  end(records: Array<RawRecord>): void {
    while (this.state === State.Quoted || this.discarding || this.pending.trim() !== "") {
      if (this.state === State.Quoted) {
        this.rescan(this.recordLine, this.pending, "bad CSV quoting: a quoted field is never closed", records)
      } else this.finish(this.pending, records)
    }
    this.pending = ""
  }

  private finish(text: string, records: Array<RawRecord>): void {
    const line = this.recordLine
    const spansLines = line < this.line
    const discarded = this.discarding
    this.state = State.FieldStart
    this.discarding = false
    this.pending = ""
    this.line++
    this.recordLine = this.line
    if (discarded || text.length > maxRecordChars) {
      this.onBroken(line, tooLong)
      return
    }
    if (text.trim() === "") return
    // A record over several lines that is not valid CSV is most likely a stray quote, not a field with line breaks.
    const problem = spansLines ? parseOne(text) : undefined
    if (typeof problem === "string") this.rescan(line, text, problem, records)
    else records.push({ line, text })
  }

  /**
   * A broken record that ran over several lines (a quote never closed, or closed badly lines later): its first line
   * is the error row, and the lines after it are read again as records of their own, so that one stray quote costs
   * one row, not the rest of the file.
   */
  private rescan(line: number, text: string, problem: string, records: Array<RawRecord>): void {
    this.onBroken(line, problem)
    this.state = State.FieldStart
    this.discarding = false
    this.pending = ""
    this.line = line + 1
    this.recordLine = this.line
    const newline = text.indexOf("\n")
    if (newline !== -1) this.push(text.slice(newline + 1), records)
  }
}

const parseOne = (text: string): Array<string> | string => {
  try {
    const parsed = parse(text, { relax_column_count: true }) as Array<Array<string>>
    return parsed.length === 1 ? parsed[0]! : "not one CSV record"
  } catch (error) {
    return describeCsvError(error)
  }
}

/**
 * The fields of each record, or why a record has none. One csv-parse call for the whole batch when it is clean
 * (the usual case, and several times faster than a call per record); record by record when it is not.
 */
const parseRecords = (records: ReadonlyArray<RawRecord>): Array<Array<string> | string> => {
  if (records.length === 0) return []
  try {
    const parsed = parse(records.map((record) => record.text).join(""), { relax_column_count: true }) as Array<
      Array<string>
    >
    if (parsed.length === records.length) return parsed
  } catch {
    // One bad record fails the batch: find it below.
  }
  return records.map((record) => parseOne(record.text))
}

const readHeader = (fields: Array<string> | string): Array<string> => {
  if (typeof fields === "string") throw new UnreadableInput({ message: `the CSV header is unreadable: ${fields}` })
  const names = fields.map((name) => name.trim())
  const seen = new Set<string>()
  names.forEach((name, i) => {
    if (name === "") throw new UnreadableInput({ message: `column ${i + 1} of the CSV header has no name` })
    if (seen.has(name))
      throw new UnreadableInput({ message: `the CSV header names column ${JSON.stringify(name)} twice` })
    seen.add(name)
  })
  if (!seen.has("ring_pool_id") && !seen.has("api_suffix")) {
    throw new UnreadableInput({
      message: "the CSV header has no ring_pool_id column (or api_suffix column): the first line must name the columns"
    })
  }
  return names
}

export const make = (): Decoder => {
  let header: Array<string> | undefined
  // Broken records are reported by the scanner as it finds them, apart from the records it completes.
  let broken: Array<{ readonly line: number; readonly problem: string }> = []
  const scanner = new RecordScanner((line, problem) => {
    broken.push({ line, problem })
  })

  const toRows = (records: Array<RawRecord>): Array<InputRow> => {
    const parsed = parseRecords(records)
    const rows: Array<InputRow> = []
    // Merge the broken records back in by line, so that output stays in input order.
    let b = 0
    const brokenBefore = (line: number) => {
      while (b < broken.length && broken[b]!.line < line) {
        const { line: brokenLine, problem } = broken[b++]!
        if (header === undefined) throw new UnreadableInput({ message: `the CSV header is unreadable: ${problem}` })
        rows.push(invalid(brokenLine, problem))
      }
    }
    records.forEach((record, i) => {
      const fields = parsed[i]!
      brokenBefore(record.line)
      if (header === undefined) {
        header = readHeader(fields)
        return
      }
      if (typeof fields === "string") rows.push(invalid(record.line, fields))
      else if (fields.length !== header.length) {
        rows.push(invalid(record.line, `${fields.length} fields, but the header names ${header.length} columns`))
      } else rows.push(fromFields(record.line, header, fields))
    })
    brokenBefore(Number.POSITIVE_INFINITY)
    broken = []
    return rows
  }

  return {
    push: (text) => {
      const records: Array<RawRecord> = []
      scanner.push(text, records)
      return toRows(records)
    },
    end: () => {
      const records: Array<RawRecord> = []
      scanner.end(records)
      return toRows(records)
    }
  }
}
