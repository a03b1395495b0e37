/**
 * A row from one JSON text (an NDJSON line, an element of a JSON array).
 */
import { fromFields, type InputRow, invalid } from "./InputRow.ts"

/** A JSON text that failed to parse, described without quoting it (V8's own message quotes the line). */
const describeJsonError = (error: unknown): string => {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")
  return position === null ? "not valid JSON" : `not valid JSON (at character ${Number(position[1]) + 1})`
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
  return fromFields(line, Object.keys(value), Object.values(value))
}
