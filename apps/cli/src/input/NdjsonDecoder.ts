/**
 * NDJSON: one JSON object per line. A row's line number is its physical line; blank lines are not rows.
 *
 * A line ends at `\n`, `\r\n` or a `\r` alone (files saved with old Mac line ends): JSON allows a raw `\r` only as
 * space between tokens, which no one-line object needs, so reading it as a line end never cuts a row, and a file of
 * `\r`-ended lines gets a result per line instead of one error for the whole file.
 */
import { type Decoder, maxRecordChars, tooLong } from "./Decoder.ts"
import { type InputRow, invalid } from "./InputRow.ts"
import { rowOfJson } from "./JsonRow.ts"

const isBlank = (text: string) => text.trim() === ""

const NEWLINE = 10

/** A first line such as `ring_pool_id,m1,m2`: no JSON, the column a CSV file of rows needs, and a separator. */
const looksLikeCsvHeader = (text: string) =>
  !/^\s*[[{]/.test(text) && /(^|[,;\t|"])\s*(ring_pool_id|api_suffix)\s*("|[,;\t|]|$)/.test(text)

export const make = (): Decoder => {
  let line = 0
  let seenRow = false
  let pending = ""
  let oversized = false
  /** The last piece ended in `\r`: a `\n` that starts the next one belongs to that line end. */
  let afterReturn = false

  const finishLine = (rows: Array<InputRow>, text: string) => {
    line++
    if (oversized || text.length > maxRecordChars) {
      rows.push(invalid(line, tooLong))
      oversized = false
    } else if (!isBlank(text)) {
      const row = rowOfJson(line, text)
      // The first row of a CSV file read as NDJSON (named .txt, say): say so once, on the row that shows it.
      if (!seenRow && "problem" in row && looksLikeCsvHeader(text)) {
        rows.push(invalid(line, `${row.problem}: the input looks like CSV; add --input-format csv`))
      } else rows.push(row)
      seenRow = true
    }
  }

  return {
    push: (text) => {
      const rows: Array<InputRow> = []
      if (text === "") return rows
      let start = afterReturn && text.charCodeAt(0) === NEWLINE ? 1 : 0
      afterReturn = false
      // The next of each line end, looked up again only once passed: a piece without `\r` is searched for it once.
      let newline = text.indexOf("\n", start)
      let ret = text.indexOf("\r", start)
      while (newline !== -1 || ret !== -1) {
        const atReturn = ret !== -1 && (newline === -1 || ret < newline)
        const end = atReturn ? ret : newline
        let next = end + 1
        if (atReturn) {
          if (next === text.length) afterReturn = true
          else if (text.charCodeAt(next) === NEWLINE) next++
        }
        finishLine(rows, pending + text.slice(start, end))
        pending = ""
        start = next
        if (newline !== -1 && newline < start) newline = text.indexOf("\n", start)
        if (ret !== -1 && ret < start) ret = text.indexOf("\r", start)
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
