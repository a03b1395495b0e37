/**
 * One bulk call: rows out, one outcome per row back, in order. It never fails as a whole; a failure of the call
 * becomes the same reason on each of its rows. This is the one place that maps HTTP and decoding failures to
 * reasons, and the one place that decides whether an answer's rows may be handed to the rows sent.
 */
import { Cause, Effect, Exit, Schema } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import type { Allocation } from "../Allocation.ts"
import * as BulkProtocol from "../BulkProtocol.ts"
import * as RingPoolError from "../RingPoolError.ts"
import * as KeyMask from "./keyMask.ts"
import { type ClientStats, recordBulkCall } from "./metrics.ts"

/** A row as sent: its suffix, the `request_id` on the wire, and what the caller knows it by. */
export interface WireRow {
  readonly suffix: string
  readonly wireId: string
  readonly requestId: string | undefined
  /** The row's key, used only to mask it out of the service's texts. */
  readonly key: string
}

export type RowResult = Allocation | RingPoolError.RingPoolError

export interface RetrySettings {
  /** Retries after the first attempt. */
  readonly times: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Which failures of a whole call to try again. */
  readonly retryOn: (reason: RingPoolError.Reason) => boolean
}

export interface BulkCallSettings {
  readonly url: string
  readonly timeoutMs: number
  readonly retry: RetrySettings | undefined
}

interface Answer {
  readonly status: number
  readonly text: string
  readonly processingTimeMs: number | undefined
}

// Error codes of a connection that was never made: the request cannot have reached the service.
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"])

const codeOf = (cause: unknown): string | undefined => {
  for (let depth = 0; cause !== null && typeof cause === "object" && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === "string") return code
    cause = (cause as { cause?: unknown }).cause
  }
  return undefined
}

const transportReason = (error: unknown): RingPoolError.Transport => {
  const cause = (error as { reason?: { cause?: unknown } }).reason?.cause ?? error
  const code = codeOf(cause)
  const text = code ?? (cause instanceof Error ? cause.message : "connection failed")
  return new RingPoolError.Transport({ description: text, sent: code === undefined || !notSentCodes.has(code) })
}

const excerpt = (text: string, keys: ReadonlyArray<string>): string =>
  KeyMask.excerpt(text, new KeyMask.KeyPieces(keys), 200)

const always = () => true

const decodeResponse = Schema.decodeUnknownExit(BulkProtocol.ResponseBody)
const decodeErrorBody = Schema.decodeUnknownExit(BulkProtocol.ErrorBody)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The reason of a whole-call failure, from a non-200 answer or a 200 with the `{"errors":...}` body. */
const callFailure = (answer: Answer, json: unknown, keys: ReadonlyArray<string>): RingPoolError.Reason | undefined => {
  const errorBody = decodeErrorBody(json)
  if (Exit.isSuccess(errorBody)) {
    const errors = errorBody.value.errors
    const handle = BulkProtocol.errorHandleOf(errors.invalid_data)
    return new RingPoolError.ServiceError({
      errorClass: errors.class,
      description: excerpt(errors.invalid_data ?? "", keys),
      status: answer.status,
      ...(handle === undefined ? {} : { errorHandle: handle })
    })
  }
  if (answer.status !== 200)
    return new RingPoolError.HttpStatus({ status: answer.status, bodyExcerpt: excerpt(answer.text, keys) })
  return undefined
}

const allRows = (rows: ReadonlyArray<WireRow>, reason: RingPoolError.Reason): Array<RowResult> =>
  rows.map((row) => RingPoolError.make(reason, row.requestId))

/** Hands the answer's rows to the rows sent, or fails them all when they do not line up. */
export const interpret = (rows: ReadonlyArray<WireRow>, answer: Answer): Array<RowResult> => {
  const keys = [...new Set(rows.map((row) => row.key))]
  const json = parseJson(answer.text)
  const failure = callFailure(answer, json, keys)
  if (failure !== undefined) return allRows(rows, failure)
  if (json === undefined) {
    return allRows(rows, new RingPoolError.InvalidResponse({ description: `not JSON: ${excerpt(answer.text, keys)}` }))
  }
  const decoded = decodeResponse(json)
  if (Exit.isFailure(decoded)) {
    const message = Cause.pretty(decoded.cause).split("\n")[0] ?? "unexpected shape"
    return allRows(rows, new RingPoolError.InvalidResponse({ description: excerpt(message, keys) }))
  }
  const responses = decoded.value.responses
  if (responses.length !== rows.length) {
    return allRows(
      rows,
      new RingPoolError.ResponseMismatch({ description: `sent ${rows.length} rows, got ${responses.length}` })
    )
  }
  for (let i = 0; i < rows.length; i++) {
    const echoed = responses[i]!.request_id
    if (echoed !== rows[i]!.wireId) {
      return allRows(
        rows,
        new RingPoolError.ResponseMismatch({
          description: `row ${i + 1} was sent with request_id ${JSON.stringify(rows[i]!.wireId)} and answered with ${
            echoed === undefined ? "none" : JSON.stringify(echoed)
          }`
        })
      )
    }
  }
  const results = new Array<RowResult>(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const response = responses[i]!
    if ("error_class" in response) {
      results[i] = RingPoolError.make(
        new RingPoolError.Rejected({
          errorClass: response.error_class,
          description: RingPoolError.maskKey(response.message, keys)
        }),
        row.requestId
      )
    } else {
      const allocation: {
        -readonly [K in keyof Allocation]: Allocation[K]
      } = {
        promoNumber: response.promo_number,
        promoNumberFormatted: response.promo_number_formatted,
        overflow: response.overflow === true
      }
      if (row.requestId !== undefined) allocation.requestId = row.requestId
      if (response.tracking_url !== undefined) allocation.trackingUrl = response.tracking_url
      results[i] = allocation
    }
  }
  return results
}

const requestBody = (rows: ReadonlyArray<WireRow>): string => {
  let body = '{"requests":['
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (i > 0) body += ","
    body += `{"api_suffix":${JSON.stringify(row.suffix)},"request_id":${JSON.stringify(row.wireId)}}`
  }
  return `${body}]}`
}

const backoff = (retry: RetrySettings, attempt: number): number =>
  Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2)

/** Builds the function that performs one bulk call with the given transport. */
export const make = (http: HttpClient.HttpClient, settings: BulkCallSettings, stats: ClientStats) => {
  const post = (body: string): Effect.Effect<Answer, RingPoolError.Reason> =>
    http.execute(HttpClientRequest.post(settings.url).pipe(HttpClientRequest.bodyText(body, "application/json"))).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.text, (text): Answer => {
          const header = response.headers["processing-time"]
          const serverMs = header === undefined ? Number.NaN : Number.parseFloat(header)
          return { status: response.status, text, processingTimeMs: Number.isFinite(serverMs) ? serverMs : undefined }
        })
      ),
      Effect.mapError(transportReason),
      // Our own span per bulk call says what matters (rows, status, server time); the HTTP client's span per request
      // would repeat it, and its propagation headers would send our trace ids to the vendor.
      Effect.provideService(HttpClient.TracerDisabledWhen, always),
      Effect.timeoutOrElse({
        duration: settings.timeoutMs,
        orElse: () => Effect.fail(new RingPoolError.Timeout({ timeoutMs: settings.timeoutMs }))
      })
    )

  // Retries look at the interpreted reason, so that a 503 with the documented error body and one without are treated alike.
  const attempt = (
    rows: ReadonlyArray<WireRow>,
    body: string,
    n: number
  ): Effect.Effect<readonly [Array<RowResult>, Answer | undefined]> =>
    post(body).pipe(
      Effect.map((answer) => [interpret(rows, answer), answer] as const),
      Effect.catch((reason) => Effect.succeed([allRows(rows, reason), undefined] as const)),
      Effect.flatMap((outcome) => {
        const retry = settings.retry
        const first = outcome[0][0]
        if (retry === undefined || n >= retry.times || first === undefined || "promoNumber" in first) {
          return Effect.succeed(outcome)
        }
        const reason = first.reason
        const wholeCall = reason._tag !== "Rejected"
        if (!wholeCall || !retry.retryOn(reason)) return Effect.succeed(outcome)
        return Effect.sleep(backoff(retry, n)).pipe(Effect.andThen(attempt(rows, body, n + 1)))
      })
    )

  return (rows: ReadonlyArray<WireRow>): Effect.Effect<Array<RowResult>> => {
    const started = performance.now()
    return attempt(rows, requestBody(rows), 0).pipe(
      Effect.tap(([results, answer]) =>
        recordBulkCall(stats, results, performance.now() - started, answer?.processingTimeMs)
      ),
      Effect.tap(([, answer]) =>
        Effect.annotateCurrentSpan({
          "ringpool.rows": rows.length,
          ...(answer === undefined ? {} : { "http.status": answer.status }),
          ...(answer?.processingTimeMs === undefined ? {} : { "ringpool.processing_time_ms": answer.processingTimeMs })
        })
      ),
      Effect.map(([results]) => results),
      // A stack trace per call would point into the coalescer, not at any caller: not worth its cost.
      Effect.withSpan("RingPoolClient.bulkCall", undefined, { captureStackTrace: false })
    )
  }
}
