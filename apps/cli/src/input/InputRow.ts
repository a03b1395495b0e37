/**
 * One row of a bulk input file, already read: a request to allocate for, or the reason its line could not be read.
 *
 * Every reader (NDJSON, CSV, JSON) turns a record into named fields and hands them to `fromFields`, so the
 * rules of a row are the same whatever the format:
 * - `ring_pool_id` (required), `ring_pool_key` (optional; else `--key` / `RINGPOOL_KEY`), `request_id` (optional);
 * - or `api_suffix` (the API's own row, parsed with core's `ApiSuffix.parse`) with an optional `request_id`;
 * - every other field is a RingPool parameter, in the record's order. At least one is required (its value may be empty).
 *
 * A problem never quotes a value of the row: the line may hold a ring pool key. It may quote a field's name, with
 * any key masked in it.
 */
import { AllocationRequest, ApiSuffix } from "@ringpool/core"
import { Redacted, Result } from "effect"
import * as Secrets from "../Secrets.ts"

export type InputRow =
  | {
      readonly line: number
      readonly request: AllocationRequest.AllocationRequest
      /** About the characters the row puts in a bulk call (its parameters, or its suffix): what a chunk holds. */
      readonly size: number
    }
  | { readonly line: number; readonly problem: string; readonly requestId?: string }

export const invalid = (line: number, problem: string, requestId?: string): InputRow =>
  requestId === undefined ? { line, problem } : { line, problem, requestId }

/**
 * What the input's decoder puts where bytes are not UTF-8 (a file saved as Latin-1, say). Sent on, it would become
 * `%EF%BF%BD` in the suffix: a parameter that is not what the file meant, so such a row fails instead.
 */
const replacement = "\ufffd"

/**
 * A pool id as the row writes it, but for a whole number written with a fraction of zeros (`12345.0`): spreadsheets
 * and data frames write integer columns so, in CSV and JSON alike, and the pool is `12345`.
 */
const wholeWithZeros = /^(\d+)\.0+$/
const poolIdOf = (value: unknown): unknown =>
  typeof value === "string" ? (wholeWithZeros.exec(value)?.[1] ?? value) : value

/** Values a parameter may have in JSON: written as text, the way they would appear in a URL. */
const asText = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined

/**
 * The row of a record's fields, in order: `names[i]` is the name of `values[i]` (a CSV header and a record; a JSON
 * object's keys and values). `line` is where the record starts in the input. (Two arrays, not pairs: this runs
 * for every row, and a pair per field would be most of a row's garbage.)
 */
export const fromFields = (line: number, names: ReadonlyArray<string>, values: ArrayLike<unknown>): InputRow => {
  let ringPoolId: unknown
  let ringPoolKey: unknown
  let requestIdValue: unknown
  let apiSuffix: unknown
  const params: Array<readonly [string, string]> = []
  let size = 0
  let badParam: string | undefined
  let notUtf8 = false
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    const value = values[i]
    if (name === "ring_pool_id") ringPoolId = value
    else if (name === "ring_pool_key") ringPoolKey = value
    else if (name === "request_id") requestIdValue = value
    else if (name === "api_suffix") apiSuffix = value
    else {
      const text = asText(value)
      if (text === undefined) badParam ??= name
      else if (text.includes(replacement) || name.includes(replacement)) notUtf8 = true
      else {
        params.push([name, text])
        size += name.length + text.length + 2
      }
    }
  }

  // An empty request_id is no request_id: CSV has no other way to leave a cell out.
  const requestIdText = requestIdValue === undefined || requestIdValue === null ? "" : asText(requestIdValue)
  if (requestIdText === undefined) return invalid(line, "request_id must be a string or a number")
  const requestId = requestIdText === "" ? undefined : requestIdText

  if (notUtf8) {
    return invalid(
      line,
      "a parameter holds U+FFFD, the character that stands for bytes that are not UTF-8: save the input as UTF-8",
      requestId
    )
  }
  if (typeof ringPoolKey === "string" && ringPoolKey.length > AllocationRequest.maxKeyChars) {
    return invalid(
      line,
      `ring_pool_key is longer than ${AllocationRequest.maxKeyChars} characters: that is not a ring pool key`,
      requestId
    )
  }
  if (badParam !== undefined) {
    // A name is quoted, and a name could be a key pasted by mistake: the row's own, or the process's.
    const rowKey = typeof ringPoolKey === "string" ? [ringPoolKey] : []
    const name = Secrets.maskAlso(JSON.stringify(badParam), rowKey)
    return invalid(line, `parameter ${name} must be a string, number or boolean`, requestId)
  }
  if (apiSuffix !== undefined) {
    return fromSuffix(line, apiSuffix, { ringPoolId, ringPoolKey, extraParams: params.length }, requestId)
  }
  const id = typeof ringPoolId === "number" ? String(ringPoolId) : poolIdOf(ringPoolId)
  if (id === undefined || id === null || id === "") {
    return invalid(line, "no ring_pool_id: every row needs the id of its ring pool", requestId)
  }
  if (typeof id !== "string") return invalid(line, "ring_pool_id must be a string or a number", requestId)
  if (ringPoolKey !== undefined && ringPoolKey !== null && typeof ringPoolKey !== "string") {
    return invalid(line, "ring_pool_key must be a string", requestId)
  }
  if (params.length === 0) {
    return invalid(
      line,
      "no parameters: a row needs at least one field besides ring_pool_id, ring_pool_key and request_id (its value may be empty)",
      requestId
    )
  }
  // An empty key falls back to --key / RINGPOOL_KEY, for the same reason as an empty request_id.
  const key = typeof ringPoolKey === "string" && ringPoolKey !== "" ? ringPoolKey : undefined
  return { line, request: { ringPoolId: id, ringPoolKey: key, params, requestId }, size }
}

const fromSuffix = (
  line: number,
  apiSuffix: unknown,
  others: { readonly ringPoolId: unknown; readonly ringPoolKey: unknown; readonly extraParams: number },
  requestId: string | undefined
): InputRow => {
  if (typeof apiSuffix !== "string") return invalid(line, "api_suffix must be a string", requestId)
  if (apiSuffix.includes(replacement)) {
    return invalid(line, "api_suffix holds U+FFFD, the character that stands for bytes that are not UTF-8", requestId)
  }
  if (others.ringPoolId !== undefined || others.ringPoolKey !== undefined || others.extraParams > 0) {
    return invalid(line, "a row with api_suffix may have only request_id besides it", requestId)
  }
  const parsed = ApiSuffix.parse(apiSuffix)
  if (Result.isFailure(parsed)) return invalid(line, parsed.failure, requestId)
  const { ringPoolId, ringPoolKey, params } = parsed.success
  if (params.length === 0) {
    return invalid(line, "api_suffix has no parameters: the API needs at least one besides ring_pool_key", requestId)
  }
  // `ring_pool_key=` with nothing after it falls back to --key / RINGPOOL_KEY, like an empty cell.
  const key = ringPoolKey !== undefined && Redacted.value(ringPoolKey) !== "" ? ringPoolKey : undefined
  return { line, request: { ringPoolId, ringPoolKey: key, params, requestId }, size: apiSuffix.length }
}
