/**
 * The one error of the toolkit. What went wrong is in `reason`, a tagged union in the manner of Effect's own
 * `AiError` and `HttpClientError`; every reason knows whether trying again could help (`retryable`).
 *
 * No reason ever carries a ring pool key: the service's own `InvalidKey` message quotes the key, so row
 * messages are masked before they are stored (see `maskKey`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as KeyMask from "./internal/keyMask.ts"

/**
 * The request broke a documented rule and was refused before any I/O.
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidRequest extends Schema.TaggedClass<InvalidRequest>()("InvalidRequest", {
  description: Schema.String
}) {
  get retryable(): boolean {
    return false
  }
  get message(): string {
    return `Invalid allocation request: ${this.description}`
  }
}

/**
 * The service answered this row with an error row (`error_class`, `message`), e.g. `InvalidKey`.
 *
 * @since 0.1.0
 * @category reasons
 */
export class Rejected extends Schema.TaggedClass<Rejected>()("Rejected", {
  errorClass: Schema.String,
  description: Schema.String
}) {
  get retryable(): boolean {
    return false
  }
  get message(): string {
    return `The service rejected the row: ${this.errorClass}: ${this.description}`
  }
}

/**
 * The bulk call could not be sent or its connection broke (refused, reset, DNS).
 * `sent` says whether the request may have reached the service (if so it may have allocated).
 *
 * @since 0.1.0
 * @category reasons
 */
export class Transport extends Schema.TaggedClass<Transport>()("Transport", {
  description: Schema.String,
  sent: Schema.Boolean
}) {
  get retryable(): boolean {
    return !this.sent
  }
  get message(): string {
    return this.sent
      ? `The connection to the Bulk RingPool service broke after the call was sent (${this.description}): the service may have allocated a number for the row.`
      : `Could not reach the Bulk RingPool service: ${this.description}. Check the base URL and the network.`
  }
}

/**
 * No answer within the time budget. The service may still have allocated the number.
 *
 * @since 0.1.0
 * @category reasons
 */
export class Timeout extends Schema.TaggedClass<Timeout>()("Timeout", {
  timeoutMs: Schema.Number
}) {
  get retryable(): boolean {
    return false
  }
  get message(): string {
    return `No answer from the Bulk RingPool service within ${this.timeoutMs} ms`
  }
}

/**
 * Whether an HTTP status is retried by default: 502, 503 and 504, which gateways answer without reaching the
 * application (ARCHITECTURE's default), and 429 (too many calls), which says the call was not processed. A gateway
 * that timed out after forwarding the call is the exception this accepts: its rows may be allocated twice, and
 * `retry.retryOn` can leave 502 and 504 out.
 */
const retriedStatus = (status: number) => status === 502 || status === 503 || status === 504 || status === 429

/**
 * The service answered with an HTTP status other than 200 and no documented error body.
 *
 * @since 0.1.0
 * @category reasons
 */
export class HttpStatus extends Schema.TaggedClass<HttpStatus>()("HttpStatus", {
  status: Schema.Number,
  bodyExcerpt: Schema.String
}) {
  get retryable(): boolean {
    return retriedStatus(this.status)
  }
  get message(): string {
    return `The Bulk RingPool service answered HTTP ${this.status}${this.bodyExcerpt ? `: ${this.bodyExcerpt}` : ""}`
  }
}

/**
 * The answer was not JSON, or not the documented shape.
 *
 * @since 0.1.0
 * @category reasons
 */
export class InvalidResponse extends Schema.TaggedClass<InvalidResponse>()("InvalidResponse", {
  description: Schema.String
}) {
  get retryable(): boolean {
    return false
  }
  get message(): string {
    return `The Bulk RingPool service sent an answer that is not the documented format: ${this.description}`
  }
}

/**
 * The rows of the answer do not line up with the rows sent (missing, extra, or an echoed `request_id` that is
 * not the one sent at that position). Every row of the call fails: a number is never handed to the wrong row.
 *
 * @since 0.1.0
 * @category reasons
 */
export class ResponseMismatch extends Schema.TaggedClass<ResponseMismatch>()("ResponseMismatch", {
  description: Schema.String
}) {
  get retryable(): boolean {
    return false
  }
  get message(): string {
    return `The answer's rows do not match the rows sent, so no number of this call was used: ${this.description}`
  }
}

/**
 * The service refused the whole call with its `{"errors":{...}}` body, e.g. `InternalServiceError` (with an error
 * handle to quote to Invoca support) or `OnlyBulkNumberAllocationAllowed`.
 *
 * @since 0.1.0
 * @category reasons
 */
export class ServiceError extends Schema.TaggedClass<ServiceError>()("ServiceError", {
  errorClass: Schema.String,
  description: Schema.String,
  status: Schema.Number,
  errorHandle: Schema.optionalKey(Schema.Number)
}) {
  get retryable(): boolean {
    return retriedStatus(this.status)
  }
  get message(): string {
    const handle =
      this.errorHandle === undefined ? "" : ` (error handle ${this.errorHandle}: quote it to questions@invoca.com)`
    return `The Bulk RingPool service refused the call (HTTP ${this.status}): ${this.errorClass}: ${this.description}${handle}`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export const Reason = Schema.Union([
  InvalidRequest,
  Rejected,
  Transport,
  Timeout,
  HttpStatus,
  InvalidResponse,
  ResponseMismatch,
  ServiceError
])

/**
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

/**
 * One row's failure: see `reason._tag` for what happened and `retryable` for whether to try again.
 *
 * @since 0.1.0
 * @category errors
 */
export class RingPoolError extends Schema.TaggedError<RingPoolError>()("RingPoolError", {
  reason: Reason,
  requestId: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    return this.reason.message
  }
  get retryable(): boolean {
    return this.reason.retryable
  }
  /**
   * What `console.log(error)` and `util.inspect` show: the message and where it was made, then the reason. (Without
   * it, Node shows the fields only, and a logged error reads as `{ _tag, reason }` with no message.)
   */
  [Symbol.for("nodejs.util.inspect.custom")](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string
  ): string {
    const fields =
      this.requestId === undefined ? { reason: this.reason } : { reason: this.reason, requestId: this.requestId }
    const stack = this.stack ?? ""
    // The stack's first line names the error as it was made: written with its message here, whatever that line says.
    const frames = stack.slice(stack.indexOf("\n") === -1 ? stack.length : stack.indexOf("\n"))
    return `RingPoolError: ${this.message}${frames} ${inspect(fields, options)}`
  }
}

/**
 * Whether `u` is a `RingPoolError` (the error every failed row and every rejected call carries).
 *
 * @since 0.1.0
 * @category guards
 */
export const isRingPoolError = (u: unknown): u is RingPoolError =>
  u instanceof RingPoolError ||
  // One from another copy of this package in the same process (two versions installed side by side).
  (u instanceof Error &&
    (u as { _tag?: unknown })._tag === "RingPoolError" &&
    typeof (u as { reason?: { _tag?: unknown } }).reason?._tag === "string")

/**
 * Wraps a reason in the error, with the row's `request_id` when it has one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (reason: Reason, requestId?: string): RingPoolError =>
  new RingPoolError(requestId === undefined ? { reason } : { reason, requestId })

/**
 * Hides ring pool keys in a text from the service: the documented `InvalidKey` message quotes the key
 * (`API Key 'A329F4DC002168' is not valid...`), and the given keys are masked in every form a URL or form gives them
 * (as written, percent-encoded, `+` for a space) and in part (any run of 6 or more of their characters).
 *
 * @since 0.1.0
 * @category redaction
 */
export const maskKey = (text: string, keys?: string | Iterable<string>): string =>
  KeyMask.maskPieces(
    text,
    // One key's pieces are made once per process (a dry run masks every row with the same key); a set of keys is
    // rarer, and its pieces are made for the call.
    typeof keys === "string" ? KeyMask.piecesOf(keys) : new KeyMask.KeyPieces(keys ?? [])
  )
