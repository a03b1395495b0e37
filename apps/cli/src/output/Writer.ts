/**
 * Bulk output formats. A writer turns result rows into text chunk by chunk, so output streams like input does.
 * - `ndjson`: one JSON object per line (the default: it streams, and every line stands alone).
 * - `json`: one array, opened at the start and closed at the end (so it is valid JSON even with no rows). Every
 *   row is on a line of its own, so that a file cut short by a crash can be read back row by row.
 * - `csv`: a header line, then one line per row with every column (`ResultRow.columns`, or `checkColumns` for a
 *   dry run); empty cells for fields a row does not have (`overflow` is `true`/`false` for allocated rows).
 *
 * CSV injection (OWASP): a results file is opened in spreadsheets, and a cell such as a `request_id` of
 * `=HYPERLINK(...)` (from the input) or a service's message would run as a formula there. So a text cell that
 * begins with `=`, `+`, `-`, `@`, a tab or a carriage return (or their full-width forms, which some spreadsheets
 * read the same) is written with a leading `'` and quoted: a spreadsheet shows it as text. A program reading the
 * file back gets that `'` as part of the cell: strip one leading `'` from a cell that begins with `'=`, `'+`, `'-`,
 * `'@`, `'\t` or `'\r`. Numbers (`line`) are never prefixed. NDJSON and JSON output are data, not sheets: as is.
 */
import type { OutputFormat } from "../commands/bulk.ts"
import { type ResultRow, toJson } from "./ResultRow.ts"

export interface Writer {
  /** What the output begins with (the CSV header, the JSON array's opening). */
  readonly start: string
  readonly rows: (rows: ReadonlyArray<ResultRow>) => string
  readonly end: () => string
}

const ndjson = (): Writer => ({
  start: "",
  rows: (rows) => {
    let text = ""
    for (const row of rows) text += `${toJson(row)}\n`
    return text
  },
  end: () => ""
})

const json = (rowsBefore: number): Writer => {
  let first = rowsBefore === 0
  return {
    start: "[",
    rows: (rows) => {
      let text = ""
      for (const row of rows) {
        text += `${first ? "\n" : ",\n"}${toJson(row)}`
        first = false
      }
      return text
    },
    end: () => (first ? "]\n" : "\n]\n")
  }
}

/** The first characters that make a spreadsheet read a cell as a formula (OWASP, and their full-width forms). */
export const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/

const csv = async (columns: ReadonlyArray<keyof ResultRow>): Promise<Writer> => {
  // csv-stringify is loaded only for CSV output.
  const { stringify } = await import("csv-stringify/sync")
  const options = {
    // csv-stringify writes `true` as "1" and `false` as "" by default; the API's JSON says true/false.
    cast: { boolean: (value: boolean) => String(value) },
    escape_formulas: true,
    quoted_match: formulaStart
  }
  return {
    start: stringify([columns as Array<string>]),
    rows: (rows) =>
      stringify(
        rows.map((row) => columns.map((column) => row[column] ?? "")),
        options
      ),
    end: () => ""
  }
}

/**
 * A writer for `format`. `rowsBefore` is how many rows the output already holds when a run continues one (its
 * `start` is then already written, and a JSON array's next row needs its comma).
 */
export const make = (
  format: OutputFormat,
  columns: ReadonlyArray<keyof ResultRow>,
  rowsBefore = 0
): Promise<Writer> => {
  switch (format) {
    case "ndjson":
      return Promise.resolve(ndjson())
    case "json":
      return Promise.resolve(json(rowsBefore))
    case "csv":
      return csv(columns)
  }
}
