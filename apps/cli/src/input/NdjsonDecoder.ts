/**
 * NDJSON: one JSON object per line. A row's line number is its physical line; blank lines are not rows.
 */
import { type Decoder, maxRecordChars, tooLong } from "./Decoder.ts"
import { type InputRow, invalid } from "./InputRow.ts"
import { rowOfJson } from "./JsonRow.ts"

const isBlank = (text: string) => text.trim() === ""

export const make = (): Decoder => {
  let line = 0
  let pending = ""
  let oversized = false

  const finishLine = (rows: Array<InputRow>, text: string) => {
    line++
    if (oversized || text.length > maxRecordChars) {
      rows.push(invalid(line, tooLong))
      oversized = false
    } else if (!isBlank(text)) {
      rows.push(rowOfJson(line, text))
    }
  }

  return {
    push: (text) => {
      const rows: Array<InputRow> = []
      let start = 0
      for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
        finishLine(rows, pending + text.slice(start, newline))
        pending = ""
        start = newline + 1
      }
      if (!oversized) {
        pending += text.slice(start)
        if (pending.length > maxRecordChars) {
          oversized = true
          pending = ""
        }
      }
      return rows
    },
    end: () => {
      const rows: Array<InputRow> = []
      if (oversized || !isBlank(pending)) finishLine(rows, pending)
      pending = ""
      return rows
    }
  }
}
