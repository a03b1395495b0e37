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
 * A row costs no fiber here: rows go straight into the shared coalescer, and each bulk call runs once on the
 * client's own Effect context.
 *
 * @since 0.1.0
 */
import { Effect, Exit, Layer, Scope } from "effect"
import type { HttpClient } from "effect/http"
import type { Allocation } from "./Allocation.ts"
import type { AllocationRequest } from "./AllocationRequest.ts"
import * as ClientOptions from "./ClientOptions.ts"
import * as Engine from "./internal/engine.ts"
import type { ClientStats } from "./internal/metrics.ts"
import * as NodeTransport from "./internal/nodeTransport.ts"
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
  /** The transport, e.g. the testkit's in-process fake. Default: Node's keep-alive HTTP client. */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseRingPoolClient {
  /** Resolves to the allocation; rejects with a `RingPoolError` (`error.reason._tag` says why). */
  readonly allocate: (request: AllocationRequest, options?: PromiseAllocateOptions) => Promise<Allocation>
  /** One outcome per row, in input order; never rejects because of a row. */
  readonly allocateAll: (requests: Iterable<AllocationRequest>) => Promise<Array<Engine.Outcome>>
  /** Counts so far. */
  readonly stats: () => ClientStats
  /** Waits for rows already submitted, then releases connections. Later calls reject. */
  readonly close: () => Promise<void>
}

const closedError = () =>
  RingPoolError.make(new RingPoolError.InvalidRequest({ description: "the client is closed: create a new one" }))

/**
 * Creates a client. Options are checked at once (a `TypeError` says what to write instead).
 *
 * @since 0.1.0
 * @category constructors
 */
export const createRingPoolClient = (options: CreateOptions = {}): PromiseRingPoolClient => {
  const { httpClient, ...clientOptions } = options
  const resolved = ClientOptions.resolve(clientOptions)
  const scope = Scope.makeUnsafe()
  const transport = httpClient ?? NodeTransport.layer(resolved)
  // The transport may build asynchronously (Node's loads undici); rows submitted meanwhile wait in the queue.
  const engine = Engine.make(Effect.runPromise(Layer.buildWithScope(transport, scope)), resolved)
  let closed = false

  const allocate = (request: AllocationRequest, callOptions?: PromiseAllocateOptions): Promise<Allocation> => {
    if (closed) return Promise.reject(closedError())
    const signal = callOptions?.signal
    if (signal?.aborted) return Promise.reject(signal.reason)
    const timeoutMs = callOptions?.timeoutMs
    return new Promise<Allocation>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const onAbort = () => {
        if (entry !== undefined) entry.cancelled = true
        if (timer !== undefined) clearTimeout(timer)
        reject(signal!.reason)
      }
      const entry = engine.submit(request, (result) => {
        if (timer !== undefined) clearTimeout(timer)
        signal?.removeEventListener("abort", onAbort)
        if ("promoNumber" in result) resolve(result)
        else reject(result)
      })
      if (entry === undefined) return
      signal?.addEventListener("abort", onAbort, { once: true })
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          entry.cancelled = true
          signal?.removeEventListener("abort", onAbort)
          reject(RingPoolError.make(new RingPoolError.Timeout({ timeoutMs }), request.requestId))
        }, timeoutMs)
      }
    })
  }

  const allocateAll = (requests: Iterable<AllocationRequest>): Promise<Array<Engine.Outcome>> => {
    if (closed) return Promise.reject(closedError())
    return new Promise((resolve) => engine.submitAll(requests, (results) => resolve(results.map(Engine.toOutcome))))
  }

  const close = async () => {
    closed = true
    await engine.drain()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }

  return { allocate, allocateAll, stats: engine.stats, close }
}
