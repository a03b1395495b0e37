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
import type { RowError } from "../CallLog.ts"
import { type Arrival, overflowPosition, refusedPosition } from "./arrival.ts"
import type { Pools } from "./pools.ts"
import type { Redactor } from "./redaction.ts"
import type { TrackingUrls } from "./trackingUrl.ts"

const isRequestRow = Schema.is(BulkProtocol.RequestRow)

const notARow: RowError = {
  errorClass: "InvalidApiSuffix",
  message: "each entry of requests must be an object with an api_suffix string (and request_id, if any, a string)"
}

const noParameters: RowError = {
  errorClass: "MissingParameters",
  message: "at least one RingPool parameter besides ring_pool_key is required, even if empty (e.g. &m1=)"
}

const errorRow = (requestId: string | undefined, error: RowError): string =>
  JSON.stringify(
    requestId === undefined
      ? { error_class: error.errorClass, message: error.message }
      : { request_id: requestId, error_class: error.errorClass, message: error.message }
  )

/**
 * A success row's JSON, written out rather than built as an object and serialised: this runs for every row, and
 * only `request_id` can need escaping (the number is digits, the tracking URL's parts are percent-encoded). The keys
 * come in the order of the documented example, `overflow` only when true (documented: omitted when false).
 */
const successRow = (requestId: string | undefined, number: string, trackingUrl: string, overflow: boolean): string =>
  `${requestId === undefined ? "{" : `{"request_id":${JSON.stringify(requestId)},`}"promo_number_formatted":"${BulkProtocol.formatNumber(number)}","promo_number":"${number}","tracking_url":"${trackingUrl}"${overflow ? ',"overflow":true}' : "}"}`

export interface RowContext {
  readonly pools: Pools
  readonly trackingUrls: TrackingUrls
  readonly redactor: Redactor
}

/** Marks row `index` of the arrival refused with `error`, and gives its error row. */
const refuse = (arrival: Arrival, index: number, requestId: string | undefined, error: RowError, shown = error) => {
  arrival.rows![(index << 1) + 1] = refusedPosition
  if (arrival.errors === undefined) arrival.errors = new Array(arrival.rowCount)
  arrival.errors[index] = error
  return errorRow(requestId, shown)
}

/**
 * Answers one entry of `requests` at the pools' time `at`: returns its row of the answer, as JSON text, and notes in
 * the arrival what it got.
 */
export const answerRow = (entry: unknown, at: number, context: RowContext, arrival: Arrival, index: number): string => {
  if (!isRequestRow(entry)) {
    const requestId =
      Predicate.hasProperty(entry, "request_id") && typeof entry.request_id === "string" ? entry.request_id : undefined
    return refuse(arrival, index, requestId, notARow)
  }
  const requestId = entry.request_id
  const parsed = ApiSuffix.parse(entry.api_suffix)
  if (Result.isFailure(parsed)) {
    return refuse(arrival, index, requestId, { errorClass: "InvalidApiSuffix", message: parsed.failure })
  }
  const suffix = parsed.success
  if (suffix.params.length === 0) return refuse(arrival, index, requestId, noParameters)
  const pools = context.pools
  const pool = pools.find(suffix.ringPoolId, ApiSuffix.keyOf(suffix))
  if (typeof pool !== "number") {
    // The documented InvalidKey message quotes the key sent, as the service does (clients must mask it); the others
    // quote the pool id, which a caller who swapped id and key fills with the key: that is masked on the wire too.
    const shown =
      pool.errorClass === "InvalidKey"
        ? pool
        : { ...pool, message: context.redactor.text(pool.message, [ApiSuffix.keyOf(suffix)]) }
    return refuse(arrival, index, requestId, pool, shown)
  }
  arrival.rows![index << 1] = pool
  const position = pools.lease(pool, at)
  if (position === refusedPosition) return refuse(arrival, index, requestId, pools.noNumber(pool))
  arrival.rows![(index << 1) + 1] = position
  arrival.allocated++
  const number = arrival.promoNumber(index)!
  const trackingUrl = context.trackingUrls.next(pools.pools[pool]!.id, number)
  return successRow(requestId, number, trackingUrl, position === overflowPosition)
}
