/**
 * The fake Bulk RingPool service: one request in (method, target, body text, time), one answer out, with no
 * transport of its own; and its Effect face, a service with an in-process `HttpClient` (no sockets) that any client
 * built on `HttpClient` can use, the core's `RingPoolClient` first. The server on a port (`FakeRingPoolServer`) and
 * the in-process client both call `Fake.handle`, so they behave alike to the byte. The wire format is the core's
 * (`BulkProtocol`, `ApiSuffix`), so the fake and the client cannot drift apart.
 *
 * ```ts
 * import { RingPoolClient } from "@ringpool/core"
 * import { FakeRingPool } from "@ringpool/testkit"
 *
 * const TestLayer = FakeRingPool.layerClient({ pools: [{ id: "1", key: "k", size: 2 }] })
 * const program = Effect.gen(function*() {
 *   const client = yield* RingPoolClient.RingPoolClient
 *   const fake = yield* FakeRingPool.FakeRingPool
 *   yield* client.allocate({ ringPoolId: "1", ringPoolKey: "k", params: { m1: "autos" } })
 *   const log = yield* fake.allocations
 * }).pipe(Effect.provide(TestLayer))
 * ```
 *
 * Documented behaviour it follows: `POST /api/<date>/bulk.json` with `requests` (or `request`) rows, answered in
 * order with `request_id` echoed as sent (absent stays absent, repeats are kept), `promo_number` of 10 digits,
 * `promo_number_formatted` as `NNN-NNN-NNNN`, a `tracking_url`, `overflow: true` only for the overflow number,
 * a `processing-time` header in milliseconds, row errors inside a 200 (`InvalidKey` with its documented message),
 * and `OnlyBulkNumberAllocationAllowed` for the single API's URL.
 *
 * Undocumented points decided here (the rows' and the bulk call's own are in `internal/rowCheck.ts` and
 * `internal/bulkCall.ts`):
 * - Any date segment is accepted (`/api/<date>/...`); the one documented for bulk is `2013-07-01`.
 * - 403 `OnlyBulkNumberAllocationAllowed` for `GET /api/<date>/[ring_pools/]<id>/allocate_number.(json|xml|csv)`;
 *   404 `NotFound` for any other method or path, which is also recorded as an unexpected call and reported (a
 *   warning on stderr by default, for the first 10 until `reset()`): a test that calls the wrong URL should hear of it.
 * - A body is read up to `maxRequestBytes` (default 4 MiB, the same bound the core puts on an answer: a 100-row
 *   call is about 15 KB, so 1,000-row calls of 4 KB rows fit); past it the call gets 413 `RequestTooLarge`.
 * - Time comes from the caller (`now`); under Effect, from the `Clock` of the context the layer is built in, so
 *   under `TestClock` leases expire and injected delays end only when the test moves the clock. The in-process
 *   client answers any host: only the path of the URL matters.
 *
 * @since 0.1.0
 */
import { ApiSuffix, BulkProtocol, type ClientOptions, RingPoolClient, type RingPoolError } from "@ringpool/core"
import { Clock, Context, Effect, Layer } from "effect"
import { HttpClient } from "effect/http"
import { AllocationLog, type AllocationRecord } from "./AllocationLog.ts"
import { CallLog, type RecordedCall } from "./CallLog.ts"
import { FaultPlan, type Injection } from "./FaultPlan.ts"
import { Arrival } from "./internal/arrival.ts"
import { errorBody, exceedsBytes } from "./internal/bulkBody.ts"
import { BulkCalls, bodyTooLarge } from "./internal/bulkCall.ts"
import { makeHttpClient as inProcessClient } from "./internal/inProcessClient.ts"
import { Pools } from "./internal/pools.ts"
import { Redactor } from "./internal/redaction.ts"
import { TrackingUrls } from "./internal/trackingUrl.ts"
import type * as Pool from "./Pool.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface FakeOptions {
  /** The pools served. Default: one demo pool (`Pool.demoPool`: id `demo`, key `demo-key`, 10 numbers). */
  readonly pools?: ReadonlyArray<Pool.PoolOptions> | undefined
  /** Seed of the draws behind `probability`, `missingRow` and `reorder` (default 1). */
  readonly seed?: number | undefined
  /**
   * How much history is kept, the most recent: allocations (default 100,000) and calls (default 10,000), and at
   * most about `bytes` of each log (default 32 MiB), so that rows with huge parameters cannot fill memory.
   */
  readonly logLimit?:
    | {
        readonly allocations?: number | undefined
        readonly calls?: number | undefined
        readonly bytes?: number | undefined
      }
    | undefined
  /** The largest request body read, in bytes (default 4 MiB); a larger bulk call gets 413 `RequestTooLarge`. */
  readonly maxRequestBytes?: number | undefined
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
 * The body to hand `Fake.handle` for a request whose body passed `maxRequestBytes`: a transport stops reading
 * there (never holding more) and passes this instead.
 *
 * @since 0.1.0
 * @category constants
 */
export { bodyTooLarge }

const knownOptions = new Set(["pools", "seed", "logLimit", "maxRequestBytes", "onUnexpectedRequest"])
const reportedUnexpected = 10
const jsonHeaders = { "content-type": "application/json; charset=utf-8" }
const onlyBulk = errorBody("OnlyBulkNumberAllocationAllowed", "Numbers are automatically allocated by the PNAPI server")

const positiveInteger = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`@ringpool/testkit: ${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/** The path and query of a request target: HTTP/1.1 servers must also accept the absolute form a proxy sends. */
const originForm = (target: string): string => {
  if (target.startsWith("/")) return target
  try {
    const url = new URL(target)
    return url.pathname + url.search
  } catch {
    return target
  }
}

/**
 * The fake itself: its pools, logs and faults, and `handle`, which answers one request.
 *
 * @since 0.1.0
 * @category models
 */
export class Fake {
  /** The largest request body read, in bytes. */
  readonly maxRequestBytes: number
  private readonly pools: Pools
  private readonly plan: FaultPlan
  private readonly allocationLog: AllocationLog
  private readonly callLog: CallLog
  private readonly bulk: BulkCalls
  private readonly trackingUrls: TrackingUrls
  private readonly redactor: Redactor
  private readonly onUnexpected: (call: RecordedCall) => void
  private unexpectedSeen = 0

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
    const bytes = positiveInteger("logLimit.bytes", limits.bytes, 32 * 1024 * 1024)
    this.maxRequestBytes = positiveInteger("maxRequestBytes", options.maxRequestBytes, 4 * 1024 * 1024)
    this.pools = new Pools(options.pools)
    this.redactor = new Redactor(this.pools.pools.map((pool) => pool.key))
    this.allocationLog = new AllocationLog(
      { entries: positiveInteger("logLimit.allocations", limits.allocations, 100_000), bytes },
      this.redactor
    )
    this.callLog = new CallLog(
      { entries: positiveInteger("logLimit.calls", limits.calls, 10_000), bytes },
      this.redactor,
      (call, row, entriesOf) => this.allocationLog.shown(call, row, entriesOf)
    )
    const seed = options.seed ?? 1
    if (!Number.isSafeInteger(seed)) throw new TypeError("@ringpool/testkit: seed must be an integer")
    this.plan = new FaultPlan(seed)
    this.trackingUrls = new TrackingUrls(this.pools.pools.map((pool) => pool.id))
    const rows = { pools: this.pools, trackingUrls: this.trackingUrls, redactor: this.redactor }
    this.bulk = new BulkCalls(this.plan, rows, this.callLog, this.allocationLog, this.maxRequestBytes)
    this.onUnexpected = options.onUnexpectedRequest ?? ((call) => this.warn(call))
  }

  /**
   * Answers one request. `target` is the path with its query; `body` is its text or its bytes (UTF-8), or
   * `bodyTooLarge` when the transport stopped reading it past `maxRequestBytes`; `now` is the fake's time in
   * milliseconds.
   */
  handle(
    method: string,
    requestTarget: string,
    body: string | Uint8Array | typeof bodyTooLarge,
    now: number
  ): FakeAnswer {
    const target = originForm(requestTarget)
    const question = target.indexOf("?")
    const path = question === -1 ? target : target.slice(0, question)
    if (method === "POST") {
      const apiVersion = BulkProtocol.matchBulkPath(path)
      if (apiVersion !== undefined) {
        const bounded =
          body === bodyTooLarge ||
          (typeof body === "string" ? exceedsBytes(body, this.maxRequestBytes) : body.length > this.maxRequestBytes)
            ? bodyTooLarge
            : body
        return this.bulk.answer(apiVersion, target, bounded, now)
      }
    }
    const single = method === "GET" ? ApiSuffix.matchSingleApiPath(path) : undefined
    const pools = this.pools.pools
    if (single !== undefined) {
      const call = new Arrival("singleApi", now, method, target, single.apiVersion, [], pools)
      call.status = 403
      call.error = onlyBulk.errors
      this.callLog.push(call)
      return { _tag: "Respond", status: 403, headers: jsonHeaders, body: JSON.stringify(onlyBulk), delayMs: 0 }
    }
    const error = errorBody(
      "NotFound",
      `No such endpoint: ${method} ${this.redactor.url(path)}. The Bulk RingPool API is POST /api/<date>/bulk.json.`
    )
    const call = new Arrival("unexpected", now, method, target, undefined, [], pools)
    call.status = 404
    call.error = error.errors
    this.callLog.push(call)
    this.onUnexpected(this.callLog.shown(call))
    return { _tag: "Respond", status: 404, headers: jsonHeaders, body: JSON.stringify(error), delayMs: 0 }
  }

  private warn(call: RecordedCall): void {
    this.unexpectedSeen++
    if (this.unexpectedSeen > reportedUnexpected) return
    const more =
      this.unexpectedSeen === reportedUnexpected
        ? ` Further unexpected requests are not reported until reset(); calls() lists them.`
        : ""
    console.warn(
      `@ringpool/testkit: unexpected request ${call.method} ${call.path} (answered 404). ` +
        `The fake serves POST /api/<date>/bulk.json.${more}`
    )
  }

  /** Every request received, oldest first, decoded, keys masked (at most `logLimit.calls` of them). */
  calls(): Array<RecordedCall> {
    return this.callLog.read()
  }

  /** The allocation log, oldest first (at most `logLimit.allocations` entries). */
  allocations(): Array<AllocationRecord> {
    return this.allocationLog.read()
  }

  /** The allocation a call to `promoNumber` at `at` belongs to (see `AllocationLog.attribute`). */
  attribute(promoNumber: string, at: number): AllocationRecord | undefined {
    return this.allocationLog.attribute(promoNumber, at)
  }

  /** Adds a fault for the next bulk call(s); a mistake throws a `TypeError`. */
  inject(injection: Injection): void {
    this.plan.inject(injection)
  }

  /** Clears faults, the logs and the pools' state: the fake is as new (same pools, same seed). */
  reset(): void {
    this.plan.reset()
    this.callLog.clear()
    this.allocationLog.clear()
    this.pools.reset()
    this.trackingUrls.reset()
    this.bulk.reset()
    this.unexpectedSeen = 0
  }
}

/**
 * A fake with its own pools, logs and faults. Options are checked at once (a `TypeError` says what to write).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: FakeOptions = {}): Fake => new Fake(options)

/**
 * The fake as an Effect service.
 *
 * @since 0.1.0
 * @category services
 */
export class FakeRingPool extends Context.Service<
  FakeRingPool,
  {
    /** The fake itself, e.g. to serve it on a port as well (`FakeRingPoolServer.layer`). */
    readonly fake: Fake
    /** The clock the fake reads. */
    readonly clock: Clock.Clock
    /** The allocation log, oldest first. */
    readonly allocations: Effect.Effect<ReadonlyArray<AllocationRecord>>
    /** Every request received, decoded, oldest first. */
    readonly calls: Effect.Effect<ReadonlyArray<RecordedCall>>
    /** The allocation a call to `promoNumber` at `at` (default: now) belongs to; undefined for overflow numbers. */
    readonly attribute: (promoNumber: string, at?: number) => Effect.Effect<AllocationRecord | undefined>
    /** A fault for the next bulk call(s). A mistaken injection is a defect that says what to write. */
    readonly inject: (injection: Injection) => Effect.Effect<void>
    /** Clears faults, logs and pool state. */
    readonly reset: Effect.Effect<void>
  }
>()("@ringpool/testkit/FakeRingPool") {}

/**
 * The service of a fake that reads the given clock.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFake = (fake: Fake, clock: Clock.Clock): FakeRingPool["Service"] =>
  FakeRingPool.of({
    fake,
    clock,
    allocations: Effect.sync(() => fake.allocations()),
    calls: Effect.sync(() => fake.calls()),
    attribute: (promoNumber, at) =>
      Effect.sync(() => fake.attribute(promoNumber, at ?? clock.currentTimeMillisUnsafe())),
    inject: (injection) => Effect.sync(() => fake.inject(injection)),
    reset: Effect.sync(() => fake.reset())
  })

/**
 * An `HttpClient` answered by the fake, in-process: no sockets, the same answers as on a port. A dropped
 * connection fails with a `TransportError` whose cause has code `ECONNRESET`, as a reset socket does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHttpClient: (fake: Fake, clock: Clock.Clock) => HttpClient.HttpClient = inProcessClient

/**
 * The fake service alone (no `HttpClient`), on the current `Clock`. Options are checked when the layer is built;
 * a mistake is a defect that says what to write.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFake = (options: FakeOptions = {}): Layer.Layer<FakeRingPool> =>
  Layer.effect(
    FakeRingPool,
    Effect.gen(function* () {
      const clock = yield* Clock.Clock
      return fromFake(yield* Effect.sync(() => make(options)), clock)
    })
  )

/**
 * The in-process `HttpClient` of the `FakeRingPool` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient, never, FakeRingPool> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(FakeRingPool, (service) => makeHttpClient(service.fake, service.clock))
)

/**
 * A fake and its in-process `HttpClient`: provide it under `RingPoolClient.layer()` with `Layer.provideMerge`
 * to keep the fake at hand for assertions.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: FakeOptions = {}): Layer.Layer<FakeRingPool | HttpClient.HttpClient> =>
  layerHttpClient.pipe(Layer.provideMerge(layerFake(options)))

/**
 * The core's `RingPoolClient` wired to a fake, and the fake: the whole test setup in one layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: FakeOptions = {},
  clientOptions: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient.RingPoolClient | FakeRingPool, RingPoolError.RingPoolError> =>
  RingPoolClient.layer(clientOptions).pipe(Layer.provideMerge(layer(options)))
