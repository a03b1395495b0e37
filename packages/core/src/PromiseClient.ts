/**
 * The client for code that does not use Effect: plain objects in, Promises out.
 *
 * ```ts
 * import { createRingPoolClient } from "@ringpool/core"
 * const client = createRingPoolClient({ maxBatchSize: 100 })
 * const allocation = await client.allocate({ ringPoolId: "123", ringPoolKey: "key", params: { m1: "autos" } })
 * await client.close()
 * ```
 *
 * A row costs no fiber here: rows go straight into the shared coalescer, and each bulk call goes out on Node's own
 * keep-alive transport with no Effect machinery at all (with an `httpClient` layer: one fiber per bulk call).
 *
 * @since 0.1.0
 */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import type { HttpClient } from "effect/http"
import type { Allocation } from "./Allocation.ts"
import type { AllocationRequest } from "./AllocationRequest.ts"
import * as ClientOptions from "./ClientOptions.ts"
import type { ClientStats } from "./ClientStats.ts"
import { AbortListeners } from "./internal/abortListeners.ts"
import * as Engine from "./internal/engine.ts"
import * as NodeTransport from "./internal/nodeTransport.ts"
import type { BulkTransport } from "./internal/transport.ts"
import * as Outcome from "./Outcome.ts"
import * as RingPoolError from "./RingPoolError.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseAllocateOptions {
  /** Aborting rejects this call with the signal's reason; a row not yet sent is never sent. */
  readonly signal?: AbortSignal | undefined
  /** This call's own budget: past it, it rejects with a `RingPoolError` whose reason is `Timeout`. */
  readonly timeoutMs?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions extends ClientOptions.ClientOptions {
  /** The transport, e.g. the testkit's in-process fake. Default: Node's own keep-alive HTTP transport. */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
  /**
   * Where the client's metrics and spans go: an Effect context holding a `Tracer` (e.g. `OtlpTracer`'s) and a
   * metric registry. Default: Effect's default registry, and no spans.
   */
  readonly context?: Context.Context<never> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseRingPoolClient {
  /** Resolves to the allocation; rejects with a `RingPoolError` (`error.reason._tag` says why). */
  readonly allocate: (request: AllocationRequest, options?: PromiseAllocateOptions) => Promise<Allocation>
  /** One outcome per row, in input order; never rejects. */
  readonly allocateAll: (requests: Iterable<AllocationRequest>) => Promise<Array<Outcome.Outcome>>
  /** Counts so far. */
  readonly stats: () => ClientStats
  /** Waits for rows already submitted, then releases connections. Later calls reject. */
  readonly close: () => Promise<void>
}

const closedError = () =>
  RingPoolError.make(new RingPoolError.InvalidRequest({ description: "the client is closed: create a new one" }))

/**
 * The transport of an `httpClient` layer, built in `scope`; it may build asynchronously, so it is a promise. Its
 * module (and Effect's HTTP client with it) is loaded only here: the default Node transport does not need it, and a
 * command-line tool that bundles the core starts without compiling it.
 */
const layerTransport = async (
  layer: Layer.Layer<HttpClient.HttpClient>,
  scope: Scope.Scope,
  resolved: ClientOptions.ResolvedOptions
): Promise<BulkTransport> => {
  const [HttpClientTransport, context] = await Promise.all([
    import("./internal/httpClientTransport.ts"),
    Effect.runPromise(Layer.buildWithScope(layer, scope))
  ])
  return HttpClientTransport.make(context, resolved)
}

/**
 * Creates a client. Options left out come from the environment (`RINGPOOL_BASE_URL`, `RINGPOOL_KEY`, ... as
 * `layerConfig` reads them); options given win. Options are checked at once (a `TypeError` says what to write).
 *
 * @since 0.1.0
 * @category constructors
 */
export const createRingPoolClient = (options: CreateOptions = {}): PromiseRingPoolClient => {
  const { httpClient, context = Context.empty(), ...clientOptions } = options
  const resolved = ClientOptions.resolve(ClientOptions.fromEnv(clientOptions))
  const scope = Scope.makeUnsafe()
  const transport =
    httpClient === undefined ? NodeTransport.make(resolved) : layerTransport(httpClient, scope, resolved)
  const engine = Engine.make(transport, resolved, context)
  const abortListeners = new AbortListeners()
  let closed = false

  const allocate = (request: AllocationRequest, callOptions?: PromiseAllocateOptions): Promise<Allocation> => {
    if (closed) return Promise.reject(closedError())
    // Any signal that behaves as one (a polyfill's too), and `null` as none.
    const given: unknown = callOptions?.signal ?? undefined
    const signal = given as AbortSignal | undefined
    if (
      given !== undefined &&
      (typeof given !== "object" ||
        given === null ||
        typeof (given as AbortSignal).aborted !== "boolean" ||
        typeof (given as AbortSignal).addEventListener !== "function" ||
        typeof (given as AbortSignal).removeEventListener !== "function")
    ) {
      return Promise.reject(new TypeError("ringpool: signal must be an AbortSignal (from an AbortController, say)"))
    }
    if (signal?.aborted) return Promise.reject(signal.reason)
    const timeoutMs = callOptions?.timeoutMs
    if (
      timeoutMs !== undefined &&
      !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs <= ClientOptions.maxTimerMs)
    ) {
      return Promise.reject(
        new TypeError(
          `ringpool: timeoutMs must be a number of milliseconds above 0 and at most ${ClientOptions.maxTimerMs}, got ${String(timeoutMs)}`
        )
      )
    }
    return new Promise<Allocation>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      let stopListening: (() => void) | undefined
      const entry = engine.submit(request, (result) => {
        if (timer !== undefined) clearTimeout(timer)
        stopListening?.()
        if (Outcome.isAllocation(result)) resolve(result)
        else reject(result)
      })
      if (entry === undefined) return
      if (signal !== undefined) {
        stopListening = abortListeners.add(signal, () => {
          entry.cancelled = true
          if (timer !== undefined) clearTimeout(timer)
          reject(signal.reason)
        })
      }
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          entry.cancelled = true
          stopListening?.()
          reject(RingPoolError.make(new RingPoolError.Timeout({ timeoutMs }), request.requestId))
        }, timeoutMs)
      }
    })
  }

  const allocateAll = (requests: Iterable<AllocationRequest>): Promise<Array<Outcome.Outcome>> => {
    if (closed) return Promise.reject(closedError())
    return new Promise((resolve) => engine.submitAll(requests, (results) => resolve(results.map(Outcome.fromResult))))
  }

  const close = async () => {
    closed = true
    await engine.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }

  return { allocate, allocateAll, stats: engine.stats, close }
}
