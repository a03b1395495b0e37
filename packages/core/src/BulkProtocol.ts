/**
 * The wire format of `POST /api/<date>/bulk.json`, once, for the client and the testkit's fake alike.
 *
 * Decoding is liberal where the documentation is vague (extra fields are ignored; the request body's key is
 * `requests` in the example and `request` in the prose, and a server accepts both) and strict where a mistake
 * could misattribute a number (every row is either a success row or an error row).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * @since 0.1.0
 * @category request
 */
export const RequestRow = Schema.Struct({
  api_suffix: Schema.String,
  request_id: Schema.optionalKey(Schema.String)
})

/**
 * @since 0.1.0
 * @category request
 */
export type RequestRow = typeof RequestRow.Type

/**
 * The body a client sends, `{"requests":[{"api_suffix":...,"request_id":...}]}`, written by hand: it runs for every
 * bulk call, and a generic encoder would cost more than the rest of the call's work.
 *
 * @since 0.1.0
 * @category request
 */
export const requestBody = (rows: ReadonlyArray<RequestRow>): string => {
  let body = '{"requests":['
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (i > 0) body += ","
    body += `{"api_suffix":${JSON.stringify(row.api_suffix)}`
    body += row.request_id === undefined ? "}" : `,"request_id":${JSON.stringify(row.request_id)}}`
  }
  return `${body}]}`
}

/**
 * What a server accepts: `requests` (the example) or `request` (the prose). Rows are checked one by one by the
 * server, so that one bad row gets an error row and does not fail its neighbours.
 *
 * @since 0.1.0
 * @category request
 */
export const LenientRequestBody = Schema.Union([
  Schema.Struct({ requests: Schema.Array(Schema.Unknown) }),
  Schema.Struct({ request: Schema.Array(Schema.Unknown) })
])

/**
 * @since 0.1.0
 * @category response
 */
export const SuccessRow = Schema.Struct({
  request_id: Schema.optionalKey(Schema.String),
  promo_number: Schema.String,
  promo_number_formatted: Schema.String,
  tracking_url: Schema.optionalKey(Schema.String),
  // Documented: present (and true) only for the overflow number; omitted when false.
  overflow: Schema.optionalKey(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category response
 */
export type SuccessRow = typeof SuccessRow.Type

/**
 * @since 0.1.0
 * @category response
 */
export const ErrorRow = Schema.Struct({
  request_id: Schema.optionalKey(Schema.String),
  error_class: Schema.String,
  message: Schema.String
})

/**
 * @since 0.1.0
 * @category response
 */
export type ErrorRow = typeof ErrorRow.Type

/**
 * @since 0.1.0
 * @category response
 */
export const ResponseRow = Schema.Union([ErrorRow, SuccessRow])

/**
 * @since 0.1.0
 * @category response
 */
export type ResponseRow = typeof ResponseRow.Type

/**
 * @since 0.1.0
 * @category response
 */
export const ResponseBody = Schema.Struct({
  responses: Schema.Array(ResponseRow)
})

/**
 * @since 0.1.0
 * @category response
 */
export type ResponseBody = typeof ResponseBody.Type

/**
 * Reads a parsed answer as `ResponseBody`, or says what is wrong with it. The same rules as the `ResponseBody` schema
 * (the tests hold them to it), checked by hand: it runs once per bulk call over every row, where a schema decode
 * would cost more than the rest of the row's work. The value is returned as it is, not copied.
 *
 * @since 0.1.0
 * @category response
 */
export const decodeResponseBody = (json: unknown): ResponseBody | string => {
  if (typeof json !== "object" || json === null || !Array.isArray((json as { responses?: unknown }).responses)) {
    return 'expected {"responses":[...]}'
  }
  const responses = (json as { responses: ReadonlyArray<unknown> }).responses
  for (let i = 0; i < responses.length; i++) {
    if (!isResponseRow(responses[i])) return `row ${i + 1} is neither a success row nor an error row`
  }
  return json as ResponseBody
}

const isString = (value: unknown) => typeof value === "string"

/** An absent key passes; a present one must pass `check` (as `Schema.optionalKey` reads it). */
const optional = (row: Record<string, unknown>, key: string, check: (value: unknown) => boolean) =>
  !(key in row) || check(row[key])

const isResponseRow = (row: unknown): boolean => {
  if (typeof row !== "object" || row === null || Array.isArray(row)) return false
  const r = row as Record<string, unknown>
  if (!optional(r, "request_id", isString)) return false
  if (isString(r.error_class) && isString(r.message)) return true
  return (
    isString(r.promo_number) &&
    isString(r.promo_number_formatted) &&
    optional(r, "tracking_url", isString) &&
    optional(r, "overflow", (value) => typeof value === "boolean")
  )
}

/**
 * The whole-call error body, e.g.
 * `{"errors":{"class":"InternalServiceError","invalid_data":"refer to error handle 1228118400"}}`.
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorBody = Schema.Struct({
  errors: Schema.Struct({
    class: Schema.String,
    invalid_data: Schema.optionalKey(Schema.String)
  })
})

/**
 * @since 0.1.0
 * @category errors
 */
export type ErrorBody = typeof ErrorBody.Type

/**
 * The documented path of the bulk call under a base URL.
 *
 * @since 0.1.0
 * @category paths
 */
export const bulkPath = (apiVersion: string): string => `/api/${apiVersion}/bulk.json`

const bulkPathPattern = /^\/api\/([\w.-]+)\/bulk\.json$/

/**
 * The date segment of a bulk call's path (`/api/2013-07-01/bulk.json` gives `2013-07-01`), or undefined when the
 * path is not a bulk call's. Any date is accepted: servers we write are liberal in what they take.
 *
 * @since 0.1.0
 * @category paths
 */
export const matchBulkPath = (pathname: string): string | undefined => bulkPathPattern.exec(pathname)?.[1]

/**
 * The only version segment documented for bulk.
 *
 * @since 0.1.0
 * @category paths
 */
export const defaultApiVersion = "2013-07-01"

/**
 * The production service.
 *
 * @since 0.1.0
 * @category paths
 */
export const defaultBaseUrl = "https://pnapi.invoca.net"

/**
 * The integer handle of an `InternalServiceError` ("refer to error handle 1228118400"), when the text has one.
 *
 * @since 0.1.0
 * @category errors
 */
export const errorHandleOf = (invalidData: string | undefined): number | undefined => {
  const match = invalidData === undefined ? null : /error handle (\d+)/i.exec(invalidData)
  return match === null ? undefined : Number(match[1])
}

/**
 * `888-390-6665` for `8883906665`: the documented display form of a 10-digit number.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatNumber = (digits: string): string =>
  digits.length === 10 ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}` : digits
