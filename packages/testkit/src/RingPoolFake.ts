/**
 * The fake Bulk RingPool service itself, with no transport: one request in (method, path, body text, time),
 * one answer out. The in-process `HttpClient`, the server on a port and the Promise face all call `handle`,
 * so they behave alike to the byte. The wire format is the core's (`BulkProtocol`, `ApiSuffix.parse`), so the
 * fake and the client cannot drift apart.
 *
 * Documented behaviour it follows: `POST /api/<date>/bulk.json` with `requests` (or `request`) rows, answered in
 * order with `request_id` echoed as sent (absent stays absent, repeats are kept), `promo_number` of 10 digits,
 * `promo_number_formatted` as `NNN-NNN-NNNN`, a `tracking_url`, `overflow: true` only for the overflow number,
 * a `processing-time` header in milliseconds, row errors inside a 200 (`InvalidKey` with its documented message),
 * and `OnlyBulkNumberAllocationAllowed` for the single API's URL.
 *
 * Undocumented points decided here:
 * - Any date segment is accepted (`/api/<date>/...`); the one documented for bulk is `2013-07-01`.
 * - Row checks, in order, each giving that row alone an error row: the entry must be an object with an
 *   `api_suffix` string (`InvalidApiSuffix`), the suffix must parse (`InvalidApiSuffix`), it must carry a parameter
 *   besides `ring_pool_key` (`MissingParameters`), the pool must exist (`RingPoolNotFound`), the key must be the
 *   pool's (`InvalidKey`, documented message), and a number must be free or overflow allowed (`NoNumberAvailable`).
 * - Whole-call errors get the vendor's `{"errors":{"class","invalid_data"}}` body: 400 `InvalidJson` (not JSON),
 *   400 `InvalidRequest` (no `requests`/`request` array), 400 `EmptyRequest` (an empty one); 403
 *   `OnlyBulkNumberAllocationAllowed` for `GET /api/<date>/[ring_pools/]<id>/allocate_number.(json|xml|csv)`;
 *   404 `NotFound` for any other method or path, which is also recorded as an unexpected call and reported
 *   (a warning on stderr by default): a test that calls the wrong URL should hear about it.
 * - `tracking_url` is `http://tracking.ringpool.test/c/<pool id>/<allocation serial>?sid=<number>`
 *   (`.test` is a reserved domain: nothing real answers there).
 * - `processing-time` is measured on the wall clock with three decimals, and includes an injected delay.
 * - An `InternalServiceError` handle counts up from 1000000001.
 *
 * @since 0.1.0
 */
import { ApiSuffix, BulkProtocol, RingPoolError } from "@ringpool/core"
import { Exit, Predicate, Result, Schema } from "effect"
import type * as Fault from "./Fault.ts"
import { BoundedList } from "./internal/boundedList.ts"
import { FaultPlan } from "./internal/faultPlan.ts"
import type * as Pool from "./Pool.ts"
import * as PoolModel from "./PoolModel.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface FakeOptions {
  /** The pools served. Default: one demo pool (`Pool.demoPool`: id `demo`, key `demo-key`, 10 numbers). */
  readonly pools?: ReadonlyArray<Pool.PoolOptions> | undefined
  /** Seed of the draws behind `probability`, `missingRow` and `reorder` (default 1). */
  readonly seed?: number | undefined
  /** How much history is kept: allocations (default 100,000) and calls (default 10,000), the most recent. */
  readonly logLimit?: { readonly allocations?: number | undefined; readonly calls?: number | undefined } | undefined
  /** Told of every request to an unknown path or with an unknown method. Default: a warning on stderr. */
  readonly onUnexpectedRequest?: ((call: RecordedCall) => void) | undefined
}

/**
 * What to send back: a response (after `delayMs`), or nothing at all (the connection is destroyed after `delayMs`).
 *
 * @since 0.1.0
 * @category models
 */
export type FakeAnswer =
  | {
      readonly _tag: "Respond"
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: string
      readonly delayMs: number
    }
  | { readonly _tag: "Drop"; readonly delayMs: number }

/**
 * One row of a recorded bulk call, decoded. The key never appears: the suffix is masked, and so is the
 * `InvalidKey` message (which, on the wire, quotes the key as the service does).
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRow {
  readonly requestId: string | undefined
  /** The row's `api_suffix` with the key masked; undefined when the entry had none. */
  readonly apiSuffix: string | undefined
  /** The pool id and parameters read from the suffix; undefined when it did not parse. */
  readonly ringPoolId: string | undefined
  readonly params: Readonly<Record<string, string>> | undefined
  /** The number the row was given, or undefined when it got an error row. */
  readonly allocation: PoolModel.AllocationRecord | undefined
  readonly error: PoolModel.RowError | undefined
}

/**
 * One request the fake received.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedCall {
  /** `bulk` for the bulk API, `singleApi` for the single API's URL, `unexpected` for anything else (a 404). */
  readonly kind: "bulk" | "singleApi" | "unexpected"
  /** When it arrived, in milliseconds of the fake's clock. */
  readonly at: number
  readonly method: string
  /** The request's path and query, with any `ring_pool_key` masked. */
  readonly path: string
  /** The date segment of the URL, e.g. `2013-07-01`. */
  readonly apiVersion: string | undefined
  /** The faults that hit this call, in the order they were injected. */
  readonly faults: ReadonlyArray<Fault.FaultName>
  /** The HTTP status answered; undefined when the connection was dropped. */
  readonly status: number | undefined
  /** The rows sent, decoded, with what each was given (also for a call whose answer a fault spoiled). */
  readonly rows: ReadonlyArray<RecordedRow>
  /** The whole-call error body sent, if any. */
  readonly error: BulkProtocol.ErrorBody["errors"] | undefined
}

interface RawRow {
  readonly requestId: string | undefined
  readonly apiSuffix: string | undefined
  readonly parsed: ApiSuffix.ParsedSuffix | undefined
  readonly outcome: PoolModel.AllocationRecord | PoolModel.RowError
}

interface RawCall {
  readonly kind: RecordedCall["kind"]
  readonly at: number
  readonly method: string
  readonly target: string
  readonly apiVersion: string | undefined
  readonly faults: ReadonlyArray<Fault.FaultName>
  readonly status: number | undefined
  readonly rows: ReadonlyArray<RawRow>
  readonly error: BulkProtocol.ErrorBody["errors"] | undefined
}

type SuccessRow = { -readonly [K in keyof BulkProtocol.SuccessRow]: BulkProtocol.SuccessRow[K] }
type WireRow = SuccessRow | BulkProtocol.ErrorRow

const bulkPath = /^\/api\/([\w.-]+)\/bulk\.json$/
const singleApiPath = /^\/api\/([\w.-]+)\/(?:ring_pools\/)?[^/]+\/allocate_number\.(?:json|xml|csv)$/
const decodeBody = Schema.decodeUnknownExit(BulkProtocol.LenientRequestBody)
const isRequestRow = Schema.is(BulkProtocol.RequestRow)
const jsonHeaders = { "content-type": "application/json; charset=utf-8" }
const maintenancePage =
  "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We'll be right back</h1></body></html>"
const firstErrorHandle = 1_000_000_001
const knownOptions = new Set(["pools", "seed", "logLimit", "onUnexpectedRequest"])

const errorBody = (errorClass: string, invalidData: string): BulkProtocol.ErrorBody => ({
  errors: { class: errorClass, invalid_data: invalidData }
})

const warnOnStderr = (call: RecordedCall) => {
  console.warn(
    `@ringpool/testkit: unexpected request ${call.method} ${call.path} (answered 404). ` +
      "The fake serves POST /api/<date>/bulk.json."
  )
}

const errorRow = (requestId: string | undefined, error: PoolModel.RowError): BulkProtocol.ErrorRow =>
  requestId === undefined
    ? { error_class: error.errorClass, message: error.message }
    : { request_id: requestId, error_class: error.errorClass, message: error.message }

const isRowError = (outcome: PoolModel.AllocationRecord | PoolModel.RowError): outcome is PoolModel.RowError =>
  "errorClass" in outcome

const masked = (error: PoolModel.RowError): PoolModel.RowError =>
  error.errorClass === "InvalidKey" ? { ...error, message: RingPoolError.maskKey(error.message) } : error

const notARow: PoolModel.RowError = {
  errorClass: "InvalidApiSuffix",
  message: "each entry of requests must be an object with an api_suffix string (and request_id, if any, a string)"
}

const noParameters: PoolModel.RowError = {
  errorClass: "MissingParameters",
  message: "at least one RingPool parameter besides ring_pool_key is required, even if empty (e.g. &m1=)"
}

/**
 * @since 0.1.0
 * @category models
 */
export class RingPoolFake {
  readonly model: PoolModel.PoolModel
  private readonly plan: FaultPlan
  private readonly log: BoundedList<RawCall>
  private readonly onUnexpected: (call: RecordedCall) => void
  private readonly trackingBase = new Map<string, string>()
  private serial = 0
  private nextErrorHandle = firstErrorHandle

  constructor(options: FakeOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("@ringpool/testkit: options must be an object like { pools: [{ id, key, size }] }")
    }
    for (const name of Object.keys(options)) {
      if (!knownOptions.has(name)) {
        throw new TypeError(
          `@ringpool/testkit: unknown option ${JSON.stringify(name)}; known: ${[...knownOptions].join(", ")}`
        )
      }
    }
    const limits = options.logLimit ?? {}
    this.model = new PoolModel.PoolModel({ pools: options.pools, allocationLimit: limits.allocations })
    const calls = limits.calls ?? 10_000
    if (!Number.isSafeInteger(calls) || calls < 1) {
      throw new TypeError(`@ringpool/testkit: logLimit.calls must be a positive integer, got ${JSON.stringify(calls)}`)
    }
    this.log = new BoundedList(calls)
    const seed = options.seed ?? 1
    if (!Number.isSafeInteger(seed)) throw new TypeError("@ringpool/testkit: seed must be an integer")
    this.plan = new FaultPlan(seed)
    this.onUnexpected = options.onUnexpectedRequest ?? warnOnStderr
    for (const pool of this.model.pools) {
      this.trackingBase.set(pool.id, `http://tracking.ringpool.test/c/${encodeURIComponent(pool.id)}/`)
    }
  }

  /** Answers one request. `target` is the path with its query; `now` is the fake's time in milliseconds. */
  handle(method: string, target: string, body: string, now: number): FakeAnswer {
    const started = performance.now()
    const question = target.indexOf("?")
    const path = question === -1 ? target : target.slice(0, question)
    const bulk = bulkPath.exec(path)
    if (bulk !== null && method === "POST") return this.bulk(bulk[1]!, target, body, now, started)
    const single = singleApiPath.exec(path)
    if (single !== null && method === "GET") {
      const error = errorBody(
        "OnlyBulkNumberAllocationAllowed",
        "Numbers are automatically allocated by the PNAPI server"
      )
      this.record({
        kind: "singleApi",
        at: now,
        method,
        target,
        apiVersion: single[1],
        status: 403,
        error: error.errors
      })
      return { _tag: "Respond", status: 403, headers: jsonHeaders, body: JSON.stringify(error), delayMs: 0 }
    }
    const error = errorBody(
      "NotFound",
      `No such endpoint: ${method} ${ApiSuffix.mask(path)}. The Bulk RingPool API is POST /api/<date>/bulk.json.`
    )
    this.onUnexpected(
      publicCall(
        this.record({
          kind: "unexpected",
          at: now,
          method,
          target,
          apiVersion: undefined,
          status: 404,
          error: error.errors
        })
      )
    )
    return { _tag: "Respond", status: 404, headers: jsonHeaders, body: JSON.stringify(error), delayMs: 0 }
  }

  private bulk(apiVersion: string, target: string, text: string, now: number, started: number): FakeAnswer {
    const faults = this.plan.draw()
    let delayMs = 0
    let drop = false
    let status: Extract<Fault.Fault, { fault: "status" }> | undefined
    for (const fault of faults) {
      if (fault.fault === "delay") delayMs += fault.ms
      else if (fault.fault === "drop") drop = true
      else if (fault.fault === "status") status ??= fault
    }
    const base = {
      kind: "bulk" as const,
      at: now,
      method: "POST",
      target,
      apiVersion,
      faults: faults.map((f) => f.fault)
    }
    const respond = (status: number, headers: Readonly<Record<string, string>>, body: string): FakeAnswer => ({
      _tag: "Respond",
      status,
      headers: { ...headers, "processing-time": (performance.now() - started + delayMs).toFixed(3) },
      body,
      delayMs
    })

    if (status !== undefined && !drop) {
      if (status.status === 500 && status.body === undefined) {
        const error = errorBody("InternalServiceError", `refer to error handle ${this.nextErrorHandle++}`)
        this.record({ ...base, status: 500, error: error.errors })
        return respond(500, jsonHeaders, JSON.stringify(error))
      }
      this.record({ ...base, status: status.status })
      return respond(
        status.status,
        { "content-type": "text/plain; charset=utf-8" },
        status.body ?? `HTTP ${status.status} (a fault injected by @ringpool/testkit)`
      )
    }

    const entries = this.entriesOf(text)
    if ("errors" in entries) {
      this.record({ ...base, status: drop ? undefined : 400, error: entries.errors })
      return drop ? { _tag: "Drop", delayMs } : respond(400, jsonHeaders, JSON.stringify(entries))
    }
    const rows = new Array<RawRow>(entries.length)
    let responses = new Array<WireRow>(entries.length)
    for (let i = 0; i < entries.length; i++) {
      const row = this.row(entries[i], now)
      rows[i] = row.recorded
      responses[i] = row.wire
    }
    if (drop) {
      this.record({ ...base, status: undefined, rows })
      return { _tag: "Drop", delayMs }
    }
    let malformed = false
    let truncate = false
    for (const fault of faults) {
      if (fault.fault === "missingRow") responses.splice(Math.floor(this.plan.random() * responses.length), 1)
      else if (fault.fault === "reorder") responses = this.shuffled(responses)
      else if (fault.fault === "malformed") malformed = true
      else if (fault.fault === "truncate") truncate = true
    }
    this.record({ ...base, status: 200, rows })
    if (malformed) return respond(200, { "content-type": "text/html; charset=utf-8" }, maintenancePage)
    const body = JSON.stringify({ responses })
    return respond(200, jsonHeaders, truncate ? body.slice(0, body.length >> 1) : body)
  }

  /** The entries of a bulk body, or the whole-call error body that refuses it. */
  private entriesOf(text: string): ReadonlyArray<unknown> | BulkProtocol.ErrorBody {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return errorBody("InvalidJson", 'the body must be JSON: {"requests":[{"api_suffix":"...","request_id":"..."}]}')
    }
    const decoded = decodeBody(json)
    if (Exit.isFailure(decoded)) {
      return errorBody("InvalidRequest", 'the body must have a "requests" array: {"requests":[{"api_suffix":"..."}]}')
    }
    const entries = "requests" in decoded.value ? decoded.value.requests : decoded.value.request
    if (entries.length === 0) return errorBody("EmptyRequest", "requests must contain at least one entry")
    return entries
  }

  private row(entry: unknown, now: number): { readonly recorded: RawRow; readonly wire: WireRow } {
    if (!isRequestRow(entry)) {
      const requestId =
        Predicate.hasProperty(entry, "request_id") && typeof entry.request_id === "string"
          ? entry.request_id
          : undefined
      return {
        recorded: { requestId, apiSuffix: undefined, parsed: undefined, outcome: notARow },
        wire: errorRow(requestId, notARow)
      }
    }
    const requestId = entry.request_id
    const apiSuffix = entry.api_suffix
    const parsed = ApiSuffix.parse(apiSuffix)
    if (Result.isFailure(parsed)) {
      const error = { errorClass: "InvalidApiSuffix", message: parsed.failure }
      return { recorded: { requestId, apiSuffix, parsed: undefined, outcome: error }, wire: errorRow(requestId, error) }
    }
    const suffix = parsed.success
    const outcome =
      suffix.params.length === 0
        ? noParameters
        : this.model.allocate(suffix.ringPoolId, ApiSuffix.keyOf(suffix), suffix.params, requestId, now)
    const recorded = { requestId, apiSuffix, parsed: suffix, outcome }
    if (isRowError(outcome)) return { recorded, wire: errorRow(requestId, outcome) }
    const number = outcome.promoNumber
    const trackingUrl = `${this.trackingBase.get(outcome.ringPoolId)}${++this.serial}?sid=${number}`
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
    return { recorded, wire }
  }

  /** Another order of the rows (a shuffle that happens to keep the order is turned by one). */
  private shuffled<A>(rows: Array<A>): Array<A> {
    const order = rows.map((_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.plan.random() * (i + 1))
      const swap = order[i]!
      order[i] = order[j]!
      order[j] = swap
    }
    if (order.every((position, i) => position === i)) order.push(order.shift()!)
    return order.map((position) => rows[position]!)
  }

  private record(call: Omit<RawCall, "faults" | "rows" | "error"> & Partial<RawCall>): RawCall {
    const raw: RawCall = { faults: [], rows: [], error: undefined, ...call }
    this.log.push(raw)
    return raw
  }

  /** Every request received, oldest first, decoded (at most `logLimit.calls` of them). */
  calls(): Array<RecordedCall> {
    return this.log.toArray().map(publicCall)
  }

  /** The allocation log, oldest first (at most `logLimit.allocations` entries). */
  allocations(): Array<PoolModel.AllocationRecord> {
    return this.model.allocations()
  }

  /** The allocation a call to `promoNumber` at `at` belongs to (see `PoolModel.attribute`). */
  attribute(promoNumber: string, at: number): PoolModel.AllocationRecord | undefined {
    return this.model.attribute(promoNumber, at)
  }

  /** Adds a fault for the next bulk call(s); a mistake throws a `TypeError`. */
  inject(injection: Fault.Injection): void {
    this.plan.inject(injection)
  }

  /** Clears faults, the logs and the pools' state: the fake is as new (same pools, same seed). */
  reset(): void {
    this.plan.reset()
    this.log.clear()
    this.model.reset()
    this.serial = 0
    this.nextErrorHandle = firstErrorHandle
  }
}

const publicRow = (row: RawRow): RecordedRow => {
  const outcome = row.outcome
  return {
    requestId: row.requestId,
    apiSuffix: row.apiSuffix === undefined ? undefined : ApiSuffix.mask(row.apiSuffix),
    ringPoolId: row.parsed?.ringPoolId,
    params: row.parsed === undefined ? undefined : Object.fromEntries(row.parsed.params),
    allocation: isRowError(outcome) ? undefined : outcome,
    error: isRowError(outcome) ? masked(outcome) : undefined
  }
}

const publicCall = (call: RawCall): RecordedCall => ({
  kind: call.kind,
  at: call.at,
  method: call.method,
  path: ApiSuffix.mask(call.target),
  apiVersion: call.apiVersion,
  faults: call.faults,
  status: call.status,
  rows: call.rows.map(publicRow),
  error: call.error
})

/**
 * A fake with its own pools, logs and faults. Options are checked at once (a `TypeError` says what to write).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: FakeOptions = {}): RingPoolFake => new RingPoolFake(options)
