/**
 * A row from one JSON text (an NDJSON line, an element of a JSON array).
 *
 * A number is read as it is written: a parameter goes into the URL as the text the file holds. (`JSON.parse` would
 * round `12345678901234567890` to `12345678901234567000`, write `1e21` as `1e+21`, `1.10` as `1.1` and `1e400` as
 * `Infinity`: another value than the file's, sent without a word.) So a text that holds a number is parsed again
 * with every number turned into a string of its own characters (a `ring_pool_id` of `12345.0` is then read as
 * pool `12345`, as in every format: see `InputRow.fromFields`).
 */
import { fromFields, type InputRow, invalid } from "./InputRow.ts"

/** A JSON text that failed to parse, described without quoting it (V8's own message quotes the line). */
const describeJsonError = (error: unknown): string => {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")
  return position === null ? "not valid JSON" : `not valid JSON (at character ${Number(position[1]) + 1})`
}

const QUOTE = 34
const BACKSLASH = 92

/** Whether a character code can be part of a JSON number (`-`, `+`, digits, `.`, `e`, `E`). */
const inNumber = (c: number) => (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69

/**
 * `text` (valid JSON) with every number outside strings put in quotes, as its own characters. In valid JSON a `-`
 * or a digit outside a string can only begin a number, and the number runs to the first character no number holds.
 */
const numbersAsText = (text: string): string => {
  let out = ""
  let from = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === 45 || (c >= 48 && c <= 57)) {
      let end = i + 1
      while (end < text.length && inNumber(text.charCodeAt(end))) end++
      out += `${text.slice(from, i)}"${text.slice(i, end)}"`
      from = end
      i = end - 1
    }
  }
  return out + text.slice(from)
}

export const rowOfJson = (line: number, text: string): InputRow => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return invalid(line, describeJsonError(error))
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return invalid(line, 'not a JSON object: a row is an object such as {"ring_pool_id":"123","m1":"autos"}')
  }
  let values = Object.values(value)
  if (values.some((field) => typeof field === "number")) values = Object.values(JSON.parse(numbersAsText(text)))
  return fromFields(line, Object.keys(value), values)
}
