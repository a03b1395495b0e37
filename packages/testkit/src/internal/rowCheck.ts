/**
 * One row of a bulk call, checked and answered. Each check that fails gives that row alone an error row, in this
 * order (undocumented, decided here): the entry must be an object with an `api_suffix` string and, if any, a
 * `request_id` string (`InvalidApiSuffix`); the suffix must parse (`InvalidApiSuffix`); it must carry a parameter
 * besides `ring_pool_key` (`MissingParameters`, documented: "even if the value is an empty string"); the pool must
 * exist (`RingPoolNotFound`); the key must be the pool's (`InvalidKey`, with the documented message); and a number
 * must be free or overflow allowed (`NoNumberAvailable`).
 */
import { ApiSuffix, BulkProtocol } from "@ringpool/core"
import { Predicate, Result, Schema } from "effect"
import type { AllocationLog, AllocationRecord } from "../AllocationLog.ts"
import { isRowError, type RowError } from "../CallLog.ts"
import type { Pools } from "./pools.ts"
import type { Redactor } from "./redaction.ts"
import type { TrackingUrls } from "./trackingUrl.ts"

type SuccessRow = { -readonly [K in keyof BulkProtocol.SuccessRow]: BulkProtocol.SuccessRow[K] }

/**
 * A row of the answer.
 */
export type WireRow = SuccessRow | BulkProtocol.ErrorRow

const isRequestRow = Schema.is(BulkProtocol.RequestRow)

const notARow: RowError = {
  errorClass: "InvalidApiSuffix",
  message: "each entry of requests must be an object with an api_suffix string (and request_id, if any, a string)"
}

const noParameters: RowError = {
  errorClass: "MissingParameters",
  message: "at least one RingPool parameter besides ring_pool_key is required, even if empty (e.g. &m1=)"
}

const errorRow = (requestId: string | undefined, error: RowError): BulkProtocol.ErrorRow =>
  requestId === undefined
    ? { error_class: error.errorClass, message: error.message }
    : { request_id: requestId, error_class: error.errorClass, message: error.message }

export interface RowContext {
  readonly pools: Pools
  readonly allocations: AllocationLog
  readonly trackingUrls: TrackingUrls
  readonly redactor: Redactor
}

/** What one entry of `requests` gets: its outcome for the log, and its row of the answer. */
export const answerRow = (
  entry: unknown,
  now: number,
  context: RowContext
): { readonly outcome: AllocationRecord | RowError; readonly wire: WireRow } => {
  if (!isRequestRow(entry)) {
    const requestId =
      Predicate.hasProperty(entry, "request_id") && typeof entry.request_id === "string" ? entry.request_id : undefined
    return { outcome: notARow, wire: errorRow(requestId, notARow) }
  }
  const requestId = entry.request_id
  const parsed = ApiSuffix.parse(entry.api_suffix)
  if (Result.isFailure(parsed)) {
    const error = { errorClass: "InvalidApiSuffix", message: parsed.failure }
    return { outcome: error, wire: errorRow(requestId, error) }
  }
  const suffix = parsed.success
  const outcome =
    suffix.params.length === 0
      ? noParameters
      : context.pools.allocate(suffix.ringPoolId, ApiSuffix.keyOf(suffix), suffix.params, requestId, now)
  if (isRowError(outcome)) {
    // The documented InvalidKey message quotes the key sent, as the service does (clients must mask it); the others
    // quote the pool id, which a caller who swapped id and key fills with the key: that is masked on the wire too.
    const shown =
      outcome.errorClass === "InvalidKey"
        ? outcome
        : { ...outcome, message: context.redactor.text(outcome.message, [ApiSuffix.keyOf(suffix)]) }
    return { outcome, wire: errorRow(requestId, shown) }
  }
  context.allocations.push(outcome)
  const number = outcome.promoNumber
  const trackingUrl = context.trackingUrls.next(outcome.ringPoolId, number)
  const wire: SuccessRow =
    requestId === undefined
      ? { promo_number_formatted: BulkProtocol.formatNumber(number), promo_number: number, tracking_url: trackingUrl }
      : {
          request_id: requestId,
          promo_number_formatted: BulkProtocol.formatNumber(number),
          promo_number: number,
          tracking_url: trackingUrl
        }
  // Documented: the key is present only when true.
  if (outcome.overflow) wire.overflow = true
  return { outcome, wire }
}
