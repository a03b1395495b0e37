/**
 * One bulk call: rows out, one outcome per row back, in order. It never fails as a whole; a failure of the call
 * becomes the same reason on each of its rows. This is the one place that maps answers and call failures to reasons,
 * and the one place that decides whether an answer's rows may be handed to the rows sent.
 *
 * Plain code on a transport's callback: decoding, checks, retries and telemetry happen once per call, not per row.
 */
import type { Allocation } from "../Allocation.ts"
import * as BulkProtocol from "../BulkProtocol.ts"
import type { RowResult } from "../Outcome.ts"
import * as RingPoolError from "../RingPoolError.ts"
import * as KeyMask from "./keyMask.ts"
import { KnownKeys } from "./knownKeys.ts"
import type { Telemetry } from "./telemetry.ts"
import { type BulkAnswer, type BulkTransport, type CallFailure, isAnswer } from "./transport.ts"

/** A row as sent (its `api_suffix` and the `request_id` on the wire), and what the caller knows it by. */
export interface WireRow extends BulkProtocol.RequestRow {
  readonly request_id: string
  /** The caller's own `request_id`, if any: the wire's is unique within its call, this one need not be. */
  readonly requestId: string | undefined
  /** The row's key, used only to mask it out of the service's texts. */
  readonly key: string
}

export interface RetrySettings {
  /** Retries after the first attempt. */
  readonly times: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Which failures of a whole call to try again. */
  readonly retryOn: (reason: RingPoolError.Reason) => boolean
}

// Undocumented beyond the examples (`8883906665`, `888-390-6665`): digits, a leading `+`, and in the display form the
// separators people write (spaces, `-`, `.`, parentheses).
const phoneNumber = /^\+?\d{1,20}$/
const formattedNumber = /^[\d\s().+-]{1,40}$/

// How much of a server's text a message quotes: enough to recognise a page or an error, no more.
const excerptLimit = 200
const rowMessageLimit = 500

/** The keys of a call's rows and the client's other keys, as pieces to mask: made only when a text needs masking. */
class CallKeys {
  private pieces: KeyMask.KeyPieces | undefined
  constructor(
    private readonly rows: ReadonlyArray<WireRow>,
    private readonly known: KnownKeys
  ) {}
  get all(): KeyMask.KeyPieces {
    if (this.pieces === undefined) {
      const keys = new Set<string>()
      for (const row of this.rows) keys.add(row.key)
      this.pieces = this.known.with(keys)
    }
    return this.pieces
  }
  excerpt(text: string, limit = excerptLimit): string {
    return KeyMask.excerpt(text, this.all, limit)
  }
}

/**
 * The longest answer parsed without its shape checked first: a 100-row answer is about 20 KB. Parsed, JSON made of
 * tiny values (`[[[[...`, `{},{},...`, `[-0,-0,...`) takes 5 to 50 times its bytes, so a hostile 4 MiB answer would
 * hold a few hundred MB; checked first, no longer answer is parsed that holds more values than its rows' answers
 * can (`perRow` of each, room left for fields the service may add), and what is parsed is then mostly text, about
 * its bytes' size. (The check is one pass over the text: a few microseconds for a 1,000-row answer's 200 KB.)
 */
const unscannedBytes = 64 * 1024

/** What one row's answer may hold at most: objects and arrays (a few nested extras), and values (commas). */
const perRow = { containers: 8, values: 64 }
const maxDepth = 8

const QUOTE = 34
const BACKSLASH = 92

/** Whether `text` holds no more objects, arrays and values than a bulk answer of `rows` rows can (or an error body). */
const shapeFits = (text: string, rows: number): boolean => {
  const maxContainers = (rows + 1) * perRow.containers
  const maxValues = (rows + 1) * perRow.values
  let containers = 0
  let values = 0
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === 44 /* , */) {
      if (++values > maxValues) return false
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth || ++containers > maxContainers) return false
    } else if (c === 125 || c === 93) depth--
  }
  return true
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isErrorBody = (json: unknown): json is BulkProtocol.ErrorBody => {
  const errors = (json as { errors?: { class?: unknown; invalid_data?: unknown } } | null)?.errors
  return (
    typeof errors === "object" &&
    errors !== null &&
    typeof errors.class === "string" &&
    (errors.invalid_data === undefined || typeof errors.invalid_data === "string")
  )
}

/** The reason of a whole-call failure, from a non-200 answer or a 200 with the `{"errors":...}` body. */
const callFailure = (answer: BulkAnswer, json: unknown, keys: CallKeys): RingPoolError.Reason | undefined => {
  if (isErrorBody(json)) {
    const errors = json.errors
    // Read from the text as masked: digits of a key (hex keys hold runs of them) are no error handle to show.
    const handle = BulkProtocol.errorHandleOf(KeyMask.maskPieces(errors.invalid_data ?? "", keys.all))
    return new RingPoolError.ServiceError({
      errorClass: keys.excerpt(errors.class, 100),
      description: keys.excerpt(errors.invalid_data ?? ""),
      status: answer.status,
      ...(handle === undefined ? {} : { errorHandle: handle })
    })
  }
  if (answer.status !== 200) {
    return new RingPoolError.HttpStatus({ status: answer.status, bodyExcerpt: keys.excerpt(answer.text) })
  }
  return undefined
}

const allRows = (rows: ReadonlyArray<WireRow>, reason: RingPoolError.Reason): Array<RowResult> =>
  rows.map((row) => RingPoolError.make(reason, row.requestId))

/** Hands the answer's rows to the rows sent, or fails them all when they do not line up. */
export const interpret = (
  rows: ReadonlyArray<WireRow>,
  answer: BulkAnswer,
  known: KnownKeys = new KnownKeys()
): { readonly results: Array<RowResult>; readonly failure: RingPoolError.Reason | undefined } => {
  const keys = new CallKeys(rows, known)
  const failWith = (failure: RingPoolError.Reason) => ({ results: allRows(rows, failure), failure })
  const parseable = answer.text.length <= unscannedBytes || shapeFits(answer.text, rows.length)
  const json = parseable ? parseJson(answer.text) : undefined
  const failure = callFailure(answer, json, keys)
  if (failure !== undefined) return failWith(failure)
  if (!parseable) {
    return failWith(
      new RingPoolError.InvalidResponse({
        description: `the answer (${answer.text.length} bytes) holds more objects, arrays or values than ${rows.length} rows' answers do`
      })
    )
  }
  if (json === undefined) {
    return failWith(new RingPoolError.InvalidResponse({ description: `not JSON: ${keys.excerpt(answer.text)}` }))
  }
  const decoded = BulkProtocol.decodeResponseBody(json)
  if (typeof decoded === "string") return failWith(new RingPoolError.InvalidResponse({ description: decoded }))
  const responses = decoded.responses
  if (responses.length !== rows.length) {
    return failWith(
      new RingPoolError.ResponseMismatch({ description: `sent ${rows.length} rows, got ${responses.length}` })
    )
  }
  for (let i = 0; i < rows.length; i++) {
    const echoed = responses[i]!.request_id
    if (echoed !== rows[i]!.request_id) {
      return failWith(
        new RingPoolError.ResponseMismatch({
          description: `row ${i + 1} was sent with request_id ${JSON.stringify(rows[i]!.request_id)} and answered with ${
            echoed === undefined ? "none" : JSON.stringify(keys.excerpt(echoed, 100))
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
          errorClass: keys.excerpt(response.error_class, 100),
          description: keys.excerpt(response.message, rowMessageLimit)
        }),
        row.requestId
      )
      continue
    }
    // A number that is not one cannot be dialled, and could carry anything (a key, say): that row fails alone.
    if (!phoneNumber.test(response.promo_number) || !formattedNumber.test(response.promo_number_formatted)) {
      results[i] = RingPoolError.make(
        new RingPoolError.InvalidResponse({ description: `row ${i + 1} has no phone number in promo_number` }),
        row.requestId
      )
      continue
    }
    const allocation: { -readonly [K in keyof Allocation]: Allocation[K] } = {
      promoNumber: response.promo_number,
      promoNumberFormatted: response.promo_number_formatted,
      overflow: response.overflow === true
    }
    if (row.requestId !== undefined) allocation.requestId = row.requestId
    if (response.tracking_url !== undefined) allocation.trackingUrl = KeyMask.maskValue(response.tracking_url, keys.all)
    results[i] = allocation
  }
  return { results, failure: undefined }
}

const backoff = (retry: RetrySettings, attempt: number): number =>
  Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2)

/** Performs one bulk call; `done` gets one result per row, in order. */
export type BulkCall = (rows: ReadonlyArray<WireRow>, done: (results: ReadonlyArray<RowResult>) => void) => void

/** The bulk call on a transport, with its retries and telemetry; the service's texts masked of `known` keys too. */
export const make = (
  transport: BulkTransport,
  retry: RetrySettings | undefined,
  telemetry: Telemetry,
  known: KnownKeys
): BulkCall => {
  return (rows, done) => {
    const body = BulkProtocol.requestBody(rows)
    const startedNanos = telemetry.nowNanos()
    const started = performance.now()
    const attempt = (n: number) =>
      transport.send(body, (result: BulkAnswer | CallFailure) => {
        const { results, failure } = isAnswer(result)
          ? interpret(rows, result, known)
          : { results: allRows(rows, result), failure: result }
        // Retries look at the interpreted reason, so that a 503 with the documented error body and one without are
        // treated alike. A row's own error is never retried.
        if (retry !== undefined && failure !== undefined && n < retry.times && retry.retryOn(failure)) {
          setTimeout(() => attempt(n + 1), backoff(retry, n))
          return
        }
        telemetry.record({
          results,
          startedNanos,
          roundTripMs: performance.now() - started,
          status: isAnswer(result) ? result.status : undefined,
          processingTimeMs: isAnswer(result) ? result.processingTimeMs : undefined,
          failure
        })
        done(results)
      })
    attempt(0)
  }
}
