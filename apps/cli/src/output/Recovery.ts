/**
 * What a results FILE holds after a crash: its complete rows after a known point, and where the last one ends.
 *
 * Every format writes each row on its own line(s), so a row is complete when its line is: an NDJSON or JSON row is
 * an object that parses (a cut JSON text never does; the comma before the next JSON row and the array's closing
 * `]` are not part of a row); a CSV record is complete when it ends with its newline outside quotes (our own CSV,
 * so quotes always pair; without its newline, a record cut inside its last cell would look whole). A torn last row
 * (a write a crash cut short) is not complete, and everything from it on is to be cut off. An NDJSON row that is
 * whole but lost its newline to the cut keeps its place, and gets its newline back (`newlineMissing`).
 *
 * Read in pieces from the known point on (the ledger's last mark), never the whole file.
 */
import { createReadStream } from "node:fs"
import { StringDecoder } from "node:string_decoder"
import type { OutputFormat } from "../commands/bulk.ts"
import type { Outcome, ResultRow } from "./ResultRow.ts"

/** What a tally needs of a row. */
export type RowOutcome = Pick<ResultRow, "outcome" | "overflow" | "reason" | "error_class">

export interface Recovered {
  readonly rows: ReadonlyArray<RowOutcome>
  /** The byte just after the last complete row (or `from`, when there is none). */
  readonly end: number
  /** NDJSON: the last row is whole but its newline was cut off; write one before the next row. */
  readonly newlineMissing: boolean
  /** More complete rows follow than `maxRows`: FILE holds more than its run can have written. */
  readonly excess: boolean
}

/** A result row is a few hundred characters: a longer "row" is no result, and is not held whole to find out. */
const maxRowChars = 1024 * 1024

const outcomes = new Set<string>(["allocated", "rejected", "failed", "valid"])

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined)

const outcomeOf = (fields: Record<string, unknown>): RowOutcome | undefined =>
  typeof fields.outcome === "string" && outcomes.has(fields.outcome)
    ? {
        outcome: fields.outcome as Outcome,
        overflow: fields.overflow === true || fields.overflow === "true",
        reason: text(fields.reason),
        error_class: text(fields.error_class)
      }
    : undefined

const jsonRow = (line: string): RowOutcome | undefined => {
  try {
    const value: unknown = JSON.parse(line)
    return value !== null && typeof value === "object" ? outcomeOf(value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Splits the text after `from` into what may be rows: lines, or (CSV) records whose quotes are closed. Each comes
 * with the byte it ends at (just after its newline) and whether it had one (only the last piece may not).
 */
async function* records(
  path: string,
  from: number,
  csv: boolean
): AsyncGenerator<readonly [record: string, end: number, terminated: boolean]> {
  const decoder = new StringDecoder("utf8")
  let pending = ""
  let pendingBytes = from
  let quoted = false
  for await (const chunk of createReadStream(path, {
    start: from,
    highWaterMark: 64 * 1024
  }) as AsyncIterable<Buffer>) {
    const piece = decoder.write(chunk)
    let start = 0
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i)
      if (csv && c === 34 /* " */) quoted = !quoted
      else if (c === 10 /* \n */ && !quoted) {
        const record = pending + piece.slice(start, i)
        pendingBytes += Buffer.byteLength(record) + 1
        pending = ""
        start = i + 1
        yield [record, pendingBytes, true]
      }
    }
    pending += piece.slice(start)
    if (pending.length > maxRowChars) {
      // Not a row: what follows is cut off as a torn row would be.
      yield [pending.slice(0, maxRowChars), pendingBytes, false]
      return
    }
  }
  pending += decoder.end()
  if (pending !== "") yield [pending, pendingBytes + Buffer.byteLength(pending), false]
}

/**
 * The complete rows of FILE after byte `from` (where a row, or the output's start, ends): at most `maxRows` of them
 * (the rows its run sent after its last mark), and whether more follow.
 */
export const scan = async (
  path: string,
  format: OutputFormat,
  columns: ReadonlyArray<string>,
  from: number,
  maxRows: number
): Promise<Recovered> => {
  const rows: Array<RowOutcome> = []
  let end = from
  let newlineMissing = false
  let excess = false
  const push = (row: RowOutcome): boolean => {
    if (rows.length === maxRows) {
      excess = true
      return false
    }
    rows.push(row)
    return true
  }
  const parseCsv = format === "csv" ? (await import("csv-parse/sync")).parse : undefined
  for await (const [record, after, terminated] of records(path, from, format === "csv")) {
    if (parseCsv !== undefined) {
      if (!terminated) break
      let fields: Array<string> | undefined
      try {
        fields = (parseCsv(record, { relax_column_count: true }) as Array<Array<string>>)[0]
      } catch {
        break
      }
      const row =
        fields?.length === columns.length
          ? outcomeOf(Object.fromEntries(columns.map((column, i) => [column, fields![i]])))
          : undefined
      if (row === undefined || !push(row)) break
      end = after
    } else if (format === "ndjson") {
      const row = jsonRow(record)
      if (row === undefined || !push(row)) break
      end = after
      newlineMissing = !terminated
    } else {
      // JSON: `,` (the next row's comma), `{row},`, `{row}` or `]`; a row ends at its closing brace.
      const body = record.endsWith(",") ? record.slice(0, -1) : record
      if (body === "") continue
      const row = jsonRow(body)
      if (row === undefined || !push(row)) break
      end = after - (terminated ? 1 : 0) - (record.length - body.length)
    }
  }
  return { rows, end, newlineMissing, excess }
}
