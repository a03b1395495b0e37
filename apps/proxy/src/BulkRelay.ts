/**
 * `POST /api/<date>/bulk.json` through the proxy: a caller's rows join every other caller's in the core's
 * coalescer, and the caller gets exactly its own rows back, in its order, each with its own `request_id` (absent
 * where it sent none), as the service itself answers.
 *
 * Decided here (the service documents none of it):
 * - The body is read as the service reads it (`requests`, or `request` as the prose says); whole-call refusals use
 *   the service's `{"errors":{"class","invalid_data"}}` body: 400 `InvalidJson`, `InvalidRequest`, `EmptyRequest`,
 *   413 `RequestTooLarge` and `TooManyRows` (over `Capacity.rowsPerRequest`), 503 `ProxyBusy` (see `Capacity`).
 * - A row the proxy cannot send (not an object with an `api_suffix`, a suffix that does not parse, no key, no
 *   parameter) gets an error row of its own; its neighbours still run.
 * - When every row failed for a reason of the bulk call rather than of the row (the service unreachable, a 5xx,
 *   a timeout, the proxy's budget), the caller gets that failure as a whole-call error with its 5xx status, as the
 *   service would have answered a call of its own. When only some did (the caller's rows were spread over several
 *   upstream calls), the failed ones are error rows with the proxy's class (`UpstreamTimeout`, ...), in a 200.
 *
 * @since 0.1.0
 */
import { type Allocation, type AllocationRequest, ApiSuffix, BulkProtocol, type PromiseClient } from "@ringpool/core"
import { Exit, Predicate, Result, Schema } from "effect"
import type { Answer } from "./Answer.ts"
import * as Capacity from "./Capacity.ts"
import * as Failure from "./Failure.ts"

const jsonType = "application/json; charset=utf-8"
const decodeBody = Schema.decodeUnknownExit(BulkProtocol.LenientRequestBody)
const isRequestRow = Schema.is(BulkProtocol.RequestRow)

/**
 * A whole-call error in the service's own form.
 *
 * @since 0.1.0
 * @category answers
 */
export const callError = (status: number, errorClass: string, invalidData: string): Answer => ({
  status,
  contentType: jsonType,
  body: JSON.stringify({ errors: { class: errorClass, invalid_data: invalidData } })
})

/** What one row of a caller's body became: a request to send, or its refusal. */
type Row =
  | { readonly requestId: string | undefined; readonly request: AllocationRequest.AllocationRequest }
  | { readonly requestId: string | undefined; readonly refused: Failure.Failure }

const notARow = Failure.invalidSuffix(
  "each entry of requests must be an object with an api_suffix string (and request_id, if any, a string)"
)

const rowOf = (entry: unknown): Row => {
  if (!isRequestRow(entry)) {
    const id = Predicate.hasProperty(entry, "request_id") ? entry.request_id : undefined
    return { requestId: typeof id === "string" ? id : undefined, refused: notARow }
  }
  const requestId = entry.request_id
  const parsed = ApiSuffix.parse(entry.api_suffix)
  if (Result.isFailure(parsed)) return { requestId, refused: Failure.invalidSuffix(parsed.failure) }
  const suffix = parsed.success
  const key = ApiSuffix.keyOf(suffix)
  // The proxy has no key of its own to lend: a row without one is refused, never sent with RINGPOOL_KEY.
  if (key === undefined || key === "") return { requestId, refused: Failure.missingKey }
  if (suffix.params.length === 0) return { requestId, refused: Failure.missingParameters }
  return { requestId, request: { ringPoolId: suffix.ringPoolId, ringPoolKey: key, params: suffix.params, requestId } }
}

/** What a row got: a number, or why not. */
type Outcome = { readonly allocation: Allocation.Allocation } | { readonly failure: Failure.Failure }

/** A response row in the documented field order; `request_id` only where the caller sent one. */
const responseRow = (requestId: string | undefined, outcome: Outcome): string => {
  const id = requestId === undefined ? "" : `"request_id":${JSON.stringify(requestId)},`
  if ("failure" in outcome) {
    return `{${id}"error_class":${JSON.stringify(outcome.failure.errorClass)},"message":${JSON.stringify(outcome.failure.message)}}`
  }
  const allocation = outcome.allocation
  const url = allocation.trackingUrl === undefined ? "" : `,"tracking_url":${JSON.stringify(allocation.trackingUrl)}`
  // Documented: `overflow` is present, and true, only for the overflow number.
  return `{${id}"promo_number_formatted":${JSON.stringify(allocation.promoNumberFormatted)},"promo_number":${JSON.stringify(
    allocation.promoNumber
  )}${url}${allocation.overflow ? ',"overflow":true' : ""}}`
}

/**
 * Relays one caller's bulk body. `signal` is the request's budget; the answer never rejects.
 *
 * @since 0.1.0
 * @category relaying
 */
export const relay = async (
  client: PromiseClient.PromiseRingPoolClient,
  text: string,
  signal: AbortSignal,
  hold: Capacity.Hold
): Promise<Answer> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return callError(
      400,
      "InvalidJson",
      'the body must be JSON: {"requests":[{"api_suffix":"...","request_id":"..."}]}'
    )
  }
  const decoded = decodeBody(json)
  if (Exit.isFailure(decoded)) {
    return callError(
      400,
      "InvalidRequest",
      'the body must have a "requests" array: {"requests":[{"api_suffix":"..."}]}'
    )
  }
  const entries = "requests" in decoded.value ? decoded.value.requests : decoded.value.request
  if (entries.length === 0) return callError(400, "EmptyRequest", "requests must contain at least one entry")
  const refused =
    entries.length > Capacity.rowsPerRequest
      ? Failure.tooManyRows(Capacity.rowsPerRequest)
      : hold.addRows(entries.length)
        ? undefined
        : Failure.busy
  if (refused !== undefined) return callError(refused.status, refused.errorClass, refused.message)

  const rows = entries.map(rowOf)
  const outcomes = await Promise.all(
    rows.map((row): Promise<Outcome> | Outcome =>
      "refused" in row
        ? { failure: row.refused }
        : client.allocate(row.request, { signal }).then(
            (allocation) => ({ allocation }),
            (error: unknown) => ({ failure: Failure.of(error) })
          )
    )
  )
  const first = outcomes[0]!
  if ("failure" in first && first.failure.wholeCall && outcomes.every((o) => "failure" in o && o.failure.wholeCall)) {
    return callError(first.failure.status, first.failure.errorClass, first.failure.message)
  }
  let body = '{"responses":['
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) body += ","
    body += responseRow(rows[i]!.requestId, outcomes[i]!)
  }
  return { status: 200, contentType: jsonType, body: `${body}]}` }
}
