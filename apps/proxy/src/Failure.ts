/**
 * Why a request got no number, as the proxy says it: an HTTP status, an error class and a message. The single
 * API's error forms (`Class: message`, `<Error><Class>...`) and the bulk API's error rows and `{"errors":...}`
 * bodies are all written from this one value.
 *
 * The single API documents no status codes. Decided here, and tabled in the README:
 * - A row the service refused is a 4xx: `InvalidKey` 403, a class ending in `NotFound` (an unknown pool) 404,
 *   `NoNumberAvailable` 409, `MissingParameters` and `InvalidApiSuffix` 400, any other class 422.
 * - What the proxy refuses itself, before any bulk call, is a 400 (`MissingRingPoolKey`, `MissingParameters`,
 *   `InvalidRequest`, `IncompleteBody`); a path it does not serve 404, a wrong method 405, a body or URL over
 *   the limits 413 / 414.
 * - An upstream failure is a 5xx: 504 when the service did not answer in time (`UpstreamTimeout`) or said
 *   504; 503 when it said 503; 502 for everything else (a connection refused or reset, an answer that is not the
 *   documented format or does not line up with the rows sent, `InternalServiceError`).
 * - The proxy's own budget running out is 504 `ProxyTimeout`; a bulk body still arriving then is 408
 *   `RequestTimeout` (the caller was slow, not the service). A bulk request of more rows than the proxy takes at
 *   once is 413 `TooManyRows`; one that would pass what all bulk requests together may hold is 503 `ProxyBusy`.
 * The service's own classes and messages pass through as it sent them (keys masked by the core); the proxy's own
 * classes say what to do. No message ever quotes a key or a parameter value.
 *
 * @since 0.1.0
 */
import { RingPoolError } from "@ringpool/core"
import * as Budget from "./Budget.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly status: number
  readonly errorClass: string
  readonly message: string
  /**
   * True when the failure is the bulk call's or the proxy's, not the row's: a bulk caller all of whose rows
   * failed this way gets a whole-call error with this status, as the service itself would answer.
   */
  readonly wholeCall: boolean
}

const make = (status: number, errorClass: string, message: string, wholeCall = false): Failure => ({
  status,
  errorClass,
  message,
  wholeCall
})

const rowStatus = (errorClass: string): number => {
  if (errorClass === "InvalidKey") return 403
  if (errorClass.endsWith("NotFound")) return 404
  if (errorClass === "NoNumberAvailable") return 409
  if (errorClass === "MissingParameters" || errorClass === "InvalidApiSuffix") return 400
  return 422
}

// A gateway passes on what says "try again later" (503) or "too slow" (504); anything else it says is a bad answer.
const gatewayStatus = (status: number): number => (status === 503 || status === 504 ? status : 502)

const ofReason = (reason: RingPoolError.Reason): Failure => {
  switch (reason._tag) {
    case "Rejected":
      return make(rowStatus(reason.errorClass), reason.errorClass, reason.description)
    case "InvalidRequest":
      return make(400, "InvalidRequest", reason.description)
    case "ServiceError":
      return make(gatewayStatus(reason.status), reason.errorClass, reason.description, true)
    case "Timeout":
      return make(
        504,
        "UpstreamTimeout",
        `the Bulk RingPool service did not answer within ${reason.timeoutMs} ms (RINGPOOL_TIMEOUT_MS)`,
        true
      )
    case "Transport":
      return make(
        502,
        "UpstreamConnectionFailed",
        `the connection to the Bulk RingPool service failed (${reason.description}): check the proxy's --base-url and the network`,
        true
      )
    case "HttpStatus":
      // The body excerpt stays out: it is the service's text, and this answer may be shown to anyone.
      return make(
        gatewayStatus(reason.status),
        "UpstreamHttpError",
        `the Bulk RingPool service answered HTTP ${reason.status}`,
        true
      )
    case "InvalidResponse":
      return make(
        502,
        "UpstreamInvalidResponse",
        "the Bulk RingPool service sent an answer that is not the documented format",
        true
      )
    case "ResponseMismatch":
      return make(
        502,
        "UpstreamResponseMismatch",
        "the Bulk RingPool service's answer did not line up with the rows sent, so none of its numbers was used",
        true
      )
  }
}

/**
 * The failure of an allocation that did not resolve: a `RingPoolError`, the request's budget running out, or
 * something unexpected (a bug, reported as such).
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (error: unknown): Failure => {
  if (error instanceof RingPoolError.RingPoolError) return ofReason(error.reason)
  if (error instanceof Budget.BudgetExceeded) {
    return make(
      504,
      "ProxyTimeout",
      `no number within the proxy's budget of ${error.timeoutMs} ms (ringpool proxy --timeout-ms)`,
      true
    )
  }
  return make(500, "ProxyError", "the proxy failed unexpectedly (please report it)", true)
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const missingKey: Failure = make(
  400,
  "MissingRingPoolKey",
  "ring_pool_key is required: add ring_pool_key=<the pool's key> to the query"
)

/**
 * Documented: at least one RingPool parameter besides the key, even if its value is empty.
 *
 * @since 0.1.0
 * @category constructors
 */
export const missingParameters: Failure = make(
  400,
  "MissingParameters",
  "at least one RingPool parameter besides ring_pool_key is required, even if empty (e.g. &m1=)"
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const invalidSuffix = (description: string): Failure => make(400, "InvalidApiSuffix", description)

/**
 * @since 0.1.0
 * @category constructors
 */
export const methodNotAllowed = (allowed: string): Failure =>
  make(405, "MethodNotAllowed", `this path answers ${allowed} only`, true)

/**
 * @since 0.1.0
 * @category constructors
 */
export const urlTooLong = (limit: number): Failure =>
  make(414, "UrlTooLong", `the request's URL is longer than the proxy's limit of ${limit} bytes`, true)

/**
 * @since 0.1.0
 * @category constructors
 */
export const incompleteBody: Failure = make(
  400,
  "IncompleteBody",
  "the request's body ended before it was whole (the connection closed or broke)",
  true
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const bodyTooLarge = (limit: number): Failure =>
  make(413, "RequestTooLarge", `the request's body is larger than the proxy's limit of ${limit} bytes`, true)

/**
 * @since 0.1.0
 * @category constructors
 */
export const tooManyRows = (limit: number): Failure =>
  make(413, "TooManyRows", `the request holds more than the proxy's limit of ${limit} rows: split it`, true)

/**
 * The proxy holds as many bulk bodies or rows as it may (see `Capacity`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const busy: Failure = make(
  503,
  "ProxyBusy",
  "the proxy is holding as many bulk requests as it may: retry shortly",
  true
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const bodyTimedOut = (timeoutMs: number): Failure =>
  make(
    408,
    "RequestTimeout",
    `the request's body did not arrive whole within the proxy's budget of ${timeoutMs} ms (ringpool proxy --timeout-ms)`,
    true
  )
