/**
 * Bulk output formats. A writer turns result rows into text chunk by chunk, so output streams like input does.
 * - `ndjson`: one JSON object per line (the default: it streams, and every line stands alone).
 * - `json`: one array, opened at the start and closed at the end (so it is valid JSON even with no rows).
 * - `csv`: a header line, then one line per row with every column of `ResultRow.columns`; empty cells for fields a
 *   row does not have (`overflow` is `true`/`false` for allocated rows, empty otherwise).
 */
import { stringify } from "csv-stringify/sync"
import { columns, type ResultRow } from "./ResultRow.ts"

export const outputFormats = ["ndjson", "csv", "json"] as const
export type OutputFormat = (typeof outputFormats)[number]

export interface Writer {
  readonly start: string
  readonly rows: (rows: ReadonlyArray<ResultRow>) => string
  readonly end: () => string
}

const ndjson = (): Writer => ({
  start: "",
  rows: (rows) => {
    let text = ""
    for (const row of rows) text += `${JSON.stringify(row)}\n`
    return text
  },
  end: () => ""
})

const json = (): Writer => {
  let first = true
  return {
    start: "[",
    rows: (rows) => {
      let text = ""
      for (const row of rows) {
        text += `${first ? "\n" : ",\n"}${JSON.stringify(row)}`
        first = false
      }
      return text
    },
    end: () => (first ? "]\n" : "\n]\n")
  }
}

// csv-stringify writes `true` as "1" and `false` as "" by default; the API's JSON says true/false.
const csvOptions = { cast: { boolean: (value: boolean) => String(value) } }

const csv = (): Writer => ({
  start: stringify([columns]),
  rows: (rows) =>
    stringify(
      rows.map((row) => columns.map((column) => row[column] ?? "")),
      csvOptions
    ),
  end: () => ""
})

export const make = (format: OutputFormat): Writer => ({ ndjson, json, csv })[format]()
