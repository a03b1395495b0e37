/**
 * The client service: allocate one number, many rows, or a stream of rows.
 *
 * Every call of the process goes through one coalescer, so concurrent `allocate` calls from anywhere become few
 * bulk calls. Each bulk call sends a `request_id` for every row (the caller's, or one we generate) and checks the
 * echo position by position: an answer that does not line up fails its rows with `ResponseMismatch`, so a number
 * is never handed to the wrong row.
 *
 * The service needs only an `HttpClient`: Node's keep-alive client (`@ringpool/core/node`), fetch, or the
 * testkit's in-process fake.
 *
 * @since 0.1.0
 */
import { type Config, Context, Effect, Layer, Stream } from "effect"
import type { HttpClient } from "effect/http"
import type { Allocation } from "./Allocation.ts"
import type { AllocationRequest } from "./AllocationRequest.ts"
import * as ClientOptions from "./ClientOptions.ts"
import * as Engine from "./internal/engine.ts"
import type { ClientStats } from "./internal/metrics.ts"
import * as RingPoolError from "./RingPoolError.ts"

export type { ClientStats } from "./internal/metrics.ts"

/**
 * One row's outcome: `{ ok: true, allocation }` or `{ ok: false, error }`.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = Engine.Outcome

/**
 * @since 0.1.0
 * @category models
 */
export interface AllocateOptions {
  /** This caller's own budget: past it, the call fails with `Timeout` and the rest of its bulk call is unharmed. */
  readonly timeoutMs?: number | undefined
}

/**
 * @since 0.1.0
 * @category services
 */
export class RingPoolClient extends Context.Service<
  RingPoolClient,
  {
    /** One number. Concurrent calls share bulk calls; a lone call at idle is sent at once. */
    readonly allocate: (
      request: AllocationRequest,
      options?: AllocateOptions
    ) => Effect.Effect<Allocation, RingPoolError.RingPoolError>
    /** Many rows: one outcome per row, in input order, in bulk calls of at most `maxBatchSize`. Never fails. */
    readonly allocateAll: (requests: Iterable<AllocationRequest>) => Effect.Effect<Array<Outcome>>
    /**
     * Unbounded input with bounded memory: `maxInFlight` groups of up to `maxBatchSize` rows are in flight, plus the
     * stream's own small buffers, whatever the input's length.
     * Outcomes come out in input order.
     */
    readonly allocateStream: <E, R>(requests: Stream.Stream<AllocationRequest, E, R>) => Stream.Stream<Outcome, E, R>
    /** Counts so far (bulk calls, rows by outcome, server processing time). */
    readonly stats: Effect.Effect<ClientStats>
  }
>()("@ringpool/core/RingPoolClient") {}

const timeoutError = (timeoutMs: number) => RingPoolError.make(new RingPoolError.Timeout({ timeoutMs }))

/**
 * Builds the service on an engine (shared with the Promise face).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEngine = (engine: Engine.Engine): RingPoolClient["Service"] => {
  const allocate = (request: AllocationRequest, options?: AllocateOptions) => {
    const effect = Effect.callback<Allocation, RingPoolError.RingPoolError>((resume) => {
      const entry = engine.submit(request, (result) =>
        resume("promoNumber" in result ? Effect.succeed(result) : Effect.fail(result))
      )
      // Interrupted while queued: the row is never sent. Already sent: its answer is dropped.
      if (entry !== undefined) {
        return Effect.sync(() => {
          entry.cancelled = true
        })
      }
    })
    const timeoutMs = options?.timeoutMs
    if (timeoutMs === undefined) return effect
    return Effect.timeoutOrElse(effect, {
      duration: timeoutMs,
      orElse: () => Effect.fail(timeoutError(timeoutMs))
    })
  }

  const allocateAll = (requests: Iterable<AllocationRequest>) =>
    Effect.callback<Array<Outcome>>((resume) => {
      const cancel = engine.submitAll(requests, (results) => resume(Effect.succeed(results.map(Engine.toOutcome))))
      return Effect.sync(cancel)
    })

  const { maxBatchSize, maxInFlight } = engine.options
  const allocateStream = <E, R>(requests: Stream.Stream<AllocationRequest, E, R>) =>
    requests.pipe(
      // A group waits at most 5 ms to fill, so that a trickle of rows (a pipe) is not held back.
      Stream.groupedWithin(maxBatchSize, "5 millis"),
      Stream.mapEffect(allocateAll, { concurrency: maxInFlight }),
      Stream.flattenIterable
    )

  return RingPoolClient.of({ allocate, allocateAll, allocateStream, stats: Effect.sync(engine.stats) })
}

/**
 * Builds the service on the `HttpClient` in context. Rows still open when the layer is released get their outcome first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function* (options: ClientOptions.ClientOptions = {}) {
  const resolved = yield* Effect.try({
    try: () => ClientOptions.resolve(options),
    catch: (error) => RingPoolError.make(new RingPoolError.InvalidRequest({ description: (error as Error).message }))
  })
  const context = yield* Effect.context<HttpClient.HttpClient>()
  const engine = Engine.make(context, resolved)
  yield* Effect.addFinalizer(() => Effect.promise(engine.drain))
  return fromEngine(engine)
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient, RingPoolError.RingPoolError, HttpClient.HttpClient> =>
  Layer.effect(RingPoolClient, make(options))

/**
 * The options from the environment (`RINGPOOL_*`), with `overrides` on top.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient, RingPoolError.RingPoolError | Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    RingPoolClient,
    Effect.flatMap(ClientOptions.config, (fromEnv) => make({ ...fromEnv, ...overrides }))
  )
