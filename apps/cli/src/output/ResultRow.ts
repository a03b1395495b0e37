/**
 * One line of bulk output: the input's line number, what happened, and the API's own field names.
 *
 * - `outcome` is `allocated` (a number; `overflow` says whether it is the pool's shared overflow number),
 *   `rejected` (the service answered the row with an error row: `error_class` and its `message`), or
 *   `failed` (no answer for the row: `reason` is the core's reason, e.g. `Timeout`, `Transport`,
 *   `InvalidRequest`, or `InvalidInput` for a line that could not be read; `error_class` when the service named one).
 *   A dry run's rows are `valid` (with the `api_suffix` the row would be sent with, key masked) or `failed`.
 * - `request_id` is the row's own, when it had one.
 */
import type { Outcome as CoreOutcome, RingPoolError } from "@ringpool/core"
import type { InputRow } from "../input/InputRow.ts"

// Every row has every field, absent ones `undefined` (which JSON leaves out): one object shape for all rows, built
// in one literal, is several times less garbage per row than spreading optional parts together.
export type Outcome = "allocated" | "rejected" | "failed" | "valid"

export interface ResultRow {
  readonly line: number
  readonly outcome: Outcome
  readonly request_id: string | undefined
  readonly promo_number: string | undefined
  readonly promo_number_formatted: string | undefined
  readonly tracking_url: string | undefined
  readonly overflow: boolean | undefined
  readonly reason: string | undefined
  readonly error_class: string | undefined
  readonly message: string | undefined
  readonly api_suffix: string | undefined
}

/** The columns of CSV output, in order: every field a row of a run can have. */
export const columns = [
  "line",
  "outcome",
  "request_id",
  "promo_number",
  "promo_number_formatted",
  "tracking_url",
  "overflow",
  "reason",
  "error_class",
  "message"
] as const satisfies ReadonlyArray<keyof ResultRow>

/** The columns of a dry run's CSV output. */
export const checkColumns = [
  "line",
  "outcome",
  "request_id",
  "api_suffix",
  "reason",
  "message"
] as const satisfies ReadonlyArray<keyof ResultRow>

/** `reason` of a line that could not be read as a row (bad JSON, bad CSV quoting, no pool id, no parameters). */
export const invalidInputReason = "InvalidInput"

const failure = (
  line: number,
  outcome: "rejected" | "failed",
  requestId: string | undefined,
  reason: string,
  errorClass: string | undefined,
  message: string
): ResultRow => ({
  line,
  outcome,
  request_id: requestId,
  promo_number: undefined,
  promo_number_formatted: undefined,
  tracking_url: undefined,
  overflow: undefined,
  reason,
  error_class: errorClass,
  message,
  api_suffix: undefined
})

export const fromError = (
  line: number,
  requestId: string | undefined,
  error: RingPoolError.RingPoolError
): ResultRow => {
  const reason = error.reason
  switch (reason._tag) {
    case "Rejected":
      // The service's own message, as it sent it (the core has already masked the key it quotes).
      return failure(line, "rejected", requestId, reason._tag, reason.errorClass, reason.description)
    case "ServiceError":
      return failure(line, "failed", requestId, reason._tag, reason.errorClass, reason.message)
    default:
      return failure(line, "failed", requestId, reason._tag, undefined, reason.message)
  }
}

export const fromOutcome = (line: number, requestId: string | undefined, outcome: CoreOutcome.Outcome): ResultRow => {
  if (!outcome.ok) return fromError(line, requestId, outcome.error)
  const allocation = outcome.allocation
  return {
    line,
    outcome: "allocated",
    request_id: requestId,
    promo_number: allocation.promoNumber,
    promo_number_formatted: allocation.promoNumberFormatted,
    tracking_url: allocation.trackingUrl,
    overflow: allocation.overflow,
    reason: undefined,
    error_class: undefined,
    message: undefined,
    api_suffix: undefined
  }
}

/** A dry run's row that would be sent: with the suffix it would be sent with (the key already masked). */
export const fromCheck = (line: number, requestId: string | undefined, maskedSuffix: string): ResultRow => ({
  line,
  outcome: "valid",
  request_id: requestId,
  promo_number: undefined,
  promo_number_formatted: undefined,
  tracking_url: undefined,
  overflow: undefined,
  reason: undefined,
  error_class: undefined,
  message: undefined,
  api_suffix: maskedSuffix
})

export const fromInvalid = (row: Extract<InputRow, { problem: string }>): ResultRow =>
  failure(row.line, "failed", row.requestId, invalidInputReason, undefined, row.problem)

// Printable ASCII but `"` and `\\`: such a string is its own JSON text between quotes.
const plainText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

const quote = (text: string) => (plainText.test(text) ? `"${text}"` : JSON.stringify(text))

/**
 * The row as JSON: the same text as `JSON.stringify(row)` (fields in the same order, absent ones left out), written
 * by hand because it runs for every row, and a generic stringify of an object with many absent fields costs
 * several times as much.
 */
export const toJson = (row: ResultRow): string => {
  let text = `{"line":${row.line},"outcome":"${row.outcome}"`
  if (row.request_id !== undefined) text += `,"request_id":${quote(row.request_id)}`
  if (row.promo_number !== undefined) text += `,"promo_number":${quote(row.promo_number)}`
  if (row.promo_number_formatted !== undefined) text += `,"promo_number_formatted":${quote(row.promo_number_formatted)}`
  if (row.tracking_url !== undefined) text += `,"tracking_url":${quote(row.tracking_url)}`
  if (row.overflow !== undefined) text += `,"overflow":${row.overflow}`
  if (row.reason !== undefined) text += `,"reason":${quote(row.reason)}`
  if (row.error_class !== undefined) text += `,"error_class":${quote(row.error_class)}`
  if (row.message !== undefined) text += `,"message":${quote(row.message)}`
  if (row.api_suffix !== undefined) text += `,"api_suffix":${quote(row.api_suffix)}`
  return `${text}}`
}
