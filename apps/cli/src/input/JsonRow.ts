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

/** A backslash or a character JSON allows in a string only escaped: a text holding one is left to `JSON.parse`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this looks for
const escapedOrControl = /[\\\x00-\x1f]/

/** More fields than this, and the duplicate check below would cost more than `JSON.parse` saves. */
const maxFlatFields = 32

/**
 * The fields of the common row, `{"name":"value",...}` written without spaces, escapes or numbers, read without
 * `JSON.parse`: its object and the copies `Object.keys` and `Object.values` make are most of a row's reading cost.
 * For every text it accepts it gives exactly what `JSON.parse` does; anything else (`undefined`) goes to it:
 * - a name or value holding `\` or a control character (escapes, and the error JSON gives for the latter);
 * - a repeated name (`JSON.parse` keeps the last value, in the first one's place);
 * - a name starting with a digit (an object lists names such as `"2"` first, whatever the text's order);
 * - spaces, numbers, `true`, nested values, or any text after the closing brace.
 */
export const flatFields = (text: string): { names: Array<string>; values: Array<string> } | undefined => {
  if (text.charCodeAt(0) !== 123 /* { */ || escapedOrControl.test(text)) return undefined
  const names: Array<string> = []
  const values: Array<string> = []
  let i = 1
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined
    const nameEnd = text.indexOf('"', i + 1)
    if (nameEnd === -1 || text.charCodeAt(nameEnd + 1) !== 58 /* : */ || text.charCodeAt(nameEnd + 2) !== QUOTE) {
      return undefined
    }
    const first = text.charCodeAt(i + 1)
    if (first >= 48 && first <= 57) return undefined
    const valueEnd = text.indexOf('"', nameEnd + 3)
    if (valueEnd === -1 || names.length === maxFlatFields) return undefined
    const name = text.slice(i + 1, nameEnd)
    for (let n = 0; n < names.length; n++) if (names[n] === name) return undefined
    names.push(name)
    values.push(text.slice(nameEnd + 3, valueEnd))
    const next = text.charCodeAt(valueEnd + 1)
    if (next === 125 /* } */) return valueEnd + 2 === text.length ? { names, values } : undefined
    if (next !== 44 /* , */) return undefined
    i = valueEnd + 2
  }
}

export const rowOfJson = (line: number, text: string): InputRow => {
  const flat = flatFields(text)
  if (flat !== undefined) return fromFields(line, flat.names, flat.values)
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
