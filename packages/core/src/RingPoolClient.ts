/**
 * The client service: allocate one number, many rows, or a stream of rows.
 *
 * Every call of the process goes through one coalescer, so concurrent `allocate` calls from anywhere become few
 * bulk calls. Each bulk call sends a `request_id` for every row (the caller's, or one we generate) and checks the
 * echo position by position: an answer that does not line up fails its rows with `ResponseMismatch`, so a number
 * is never handed to the wrong row.
 *
 * `layer` needs only an `HttpClient` (fetch, the testkit's in-process fake, a user's own); `@ringpool/core/node`
 * provides the service on Node's own keep-alive transport, with no `HttpClient` at all.
 *
 * @since 0.1.0
 */
import { type Config, Context, Effect, Layer, Stream } from "effect"
import type { HttpClient } from "effect/http"
import type { Allocation } from "./Allocation.ts"
import type { AllocationRequest } from "./AllocationRequest.ts"
import * as ClientOptions from "./ClientOptions.ts"
import type { ClientStats } from "./ClientStats.ts"
import * as Engine from "./internal/engine.ts"
import * as HttpClientTransport from "./internal/httpClientTransport.ts"
import type { BulkTransport } from "./internal/transport.ts"
import { fromResult, isAllocation, type Outcome as RowOutcome } from "./Outcome.ts"
import * as RingPoolError from "./RingPoolError.ts"

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `ClientStats.ClientStats`
 */
export type { ClientStats } from "./ClientStats.ts"

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `Outcome.Outcome`
 */
export type Outcome = RowOutcome

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
    readonly allocateAll: (requests: Iterable<AllocationRequest>) => Effect.Effect<Array<RowOutcome>>
    /**
     * Unbounded input with bounded memory: `maxInFlight` groups of up to `maxBatchSize` rows are in flight, plus the
     * stream's own small buffers, whatever the input's length.
     * Outcomes come out in input order.
     */
    readonly allocateStream: <E, R>(requests: Stream.Stream<AllocationRequest, E, R>) => Stream.Stream<RowOutcome, E, R>
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
        resume(isAllocation(result) ? Effect.succeed(result) : Effect.fail(result))
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
    Effect.callback<Array<RowOutcome>>((resume) => {
      const cancel = engine.submitAll(requests, (results) => resume(Effect.succeed(results.map(fromResult))))
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

const resolveOptions = (options: ClientOptions.ClientOptions) =>
  Effect.try({
    try: () => ClientOptions.resolve(options),
    // The reason's message says what failed; the option's own says what to write, without its `ringpool: `.
    catch: (error) =>
      RingPoolError.make(
        new RingPoolError.InvalidRequest({
          description: `the client's options: ${(error as Error).message.replace(/^ringpool: /, "")}`
        })
      )
  })

/**
 * Builds the service on a transport made from the resolved options, within the current scope: rows still open when
 * the scope closes get their outcome first, then the transport's connections are released.
 *
 * @internal
 */
export const makeWith = <R>(
  options: ClientOptions.ClientOptions,
  transport: (resolved: ClientOptions.ResolvedOptions, context: Context.Context<R>) => BulkTransport
) =>
  Effect.gen(function* () {
    const resolved = yield* resolveOptions(options)
    const context = yield* Effect.context<R>()
    const engine = Engine.make(transport(resolved, context), resolved, context as Context.Context<never>)
    yield* Effect.addFinalizer(() => Effect.promise(engine.close))
    return fromEngine(engine)
  })

/**
 * Builds the service on the `HttpClient` in context. Rows still open when the layer is released get their outcome first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ClientOptions.ClientOptions = {}) =>
  makeWith<HttpClient.HttpClient>(options, (resolved, context) => HttpClientTransport.make(context, resolved))

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
    ClientOptions.config.pipe(
      Effect.flatMap((fromEnv) => ClientOptions.checked(ClientOptions.withOverrides(fromEnv, overrides))),
      Effect.flatMap(make)
    )
  )
