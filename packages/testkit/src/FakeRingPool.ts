/**
 * The fake as an Effect service, with an in-process `HttpClient` (no sockets) that any client built on
 * `HttpClient` can use, the core's `RingPoolClient` first.
 *
 * ```ts
 * import { RingPoolClient } from "@ringpool/core"
 * import { FakeRingPool } from "@ringpool/testkit"
 *
 * const TestLayer = RingPoolClient.layer().pipe(Layer.provideMerge(FakeRingPool.layer({ pools: [{ id: "1", key: "k", size: 2 }] })))
 * const program = Effect.gen(function*() {
 *   const client = yield* RingPoolClient.RingPoolClient
 *   const fake = yield* FakeRingPool.FakeRingPool
 *   yield* client.allocate({ ringPoolId: "1", ringPoolKey: "k", params: { m1: "autos" } })
 *   const log = yield* fake.allocations
 * }).pipe(Effect.provide(TestLayer))
 * ```
 *
 * Time is the `Clock` of the context the layer is built in: under `TestClock` (`it.effect`), leases expire and
 * injected delays end only when the test moves the clock (`TestClock.adjust`). The in-process client answers any
 * host: only the path of the URL matters.
 *
 * @since 0.1.0
 */
import { type ClientOptions, RingPoolClient, type RingPoolError } from "@ringpool/core"
import { Clock, Context, Duration, Effect, Layer, Stream } from "effect"
import { type HttpBody, HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import type * as Fault from "./Fault.ts"
import type * as PoolModel from "./PoolModel.ts"
import * as RingPoolFake from "./RingPoolFake.ts"

/**
 * @since 0.1.0
 * @category services
 */
export class FakeRingPool extends Context.Service<
  FakeRingPool,
  {
    /** The fake itself, e.g. to serve it on a port as well (`FakeServer.layer`). */
    readonly fake: RingPoolFake.RingPoolFake
    /** The clock the fake reads. */
    readonly clock: Clock.Clock
    /** The allocation log, oldest first. */
    readonly allocations: Effect.Effect<ReadonlyArray<PoolModel.AllocationRecord>>
    /** Every request received, decoded, oldest first. */
    readonly calls: Effect.Effect<ReadonlyArray<RingPoolFake.RecordedCall>>
    /** The allocation a call to `promoNumber` at `at` (default: now) belongs to; undefined for overflow numbers. */
    readonly attribute: (promoNumber: string, at?: number) => Effect.Effect<PoolModel.AllocationRecord | undefined>
    /** A fault for the next bulk call(s). A mistaken injection is a defect that says what to write. */
    readonly inject: (injection: Fault.Injection) => Effect.Effect<void>
    /** Clears faults, logs and pool state. */
    readonly reset: Effect.Effect<void>
  }
>()("@ringpool/testkit/FakeRingPool") {}

/**
 * Wraps a fake that reads the given clock.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFake = (fake: RingPoolFake.RingPoolFake, clock: Clock.Clock): FakeRingPool["Service"] =>
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
 * Builds a fake on the current `Clock`. Options are checked at once; a mistake is a defect that says what to write.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function* (options: RingPoolFake.FakeOptions = {}) {
  const clock = yield* Clock.Clock
  const fake = yield* Effect.sync(() => RingPoolFake.make(options))
  return fromFake(fake, clock)
})

const decoder = new TextDecoder()

const textOf = (body: HttpBody.HttpBody): Effect.Effect<string, unknown> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(body.text ?? decoder.decode(body.body))
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string"
          ? body.body
          : body.body instanceof Uint8Array
            ? decoder.decode(body.body)
            : String(body.body)
      )
    case "Stream":
      return Stream.mkString(Stream.decodeText(body.stream))
    case "FormData":
      // A form is not what the bulk API takes: pass a body that is not JSON, which the fake refuses as such.
      return Effect.succeed("[form data]")
  }
}

/**
 * An `HttpClient` answered by the fake, in-process: no sockets, the same answers as on a port. A dropped
 * connection fails with a `TransportError` whose cause has code `ECONNRESET`, as a reset socket does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHttpClient = (fake: RingPoolFake.RingPoolFake, clock: Clock.Clock): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    textOf(request.body).pipe(
      Effect.mapError(
        (cause) =>
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({
              request,
              cause,
              description: "could not read the request body"
            })
          })
      ),
      Effect.flatMap((body) => {
        const answer = fake.handle(request.method, url.pathname + url.search, body, clock.currentTimeMillisUnsafe())
        const reply =
          answer._tag === "Drop"
            ? Effect.fail(
                new HttpClientError.HttpClientError({
                  reason: new HttpClientError.TransportError({
                    request,
                    cause: Object.assign(new Error("socket hang up (a drop fault injected by @ringpool/testkit)"), {
                      code: "ECONNRESET"
                    })
                  })
                })
              )
            : Effect.succeed(
                HttpClientResponse.fromWeb(
                  request,
                  new Response(answer.body, { status: answer.status, headers: answer.headers })
                )
              )
        return answer.delayMs > 0 ? Effect.andThen(clock.sleep(Duration.millis(answer.delayMs)), reply) : reply
      })
    )
  )

/**
 * The fake service alone (no `HttpClient`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFake = (options: RingPoolFake.FakeOptions = {}): Layer.Layer<FakeRingPool> =>
  Layer.effect(FakeRingPool, make(options))

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
export const layer = (options: RingPoolFake.FakeOptions = {}): Layer.Layer<FakeRingPool | HttpClient.HttpClient> =>
  layerHttpClient.pipe(Layer.provideMerge(layerFake(options)))

/**
 * The core's `RingPoolClient` wired to a fake, and the fake: the whole test setup in one layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: RingPoolFake.FakeOptions = {},
  clientOptions: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient.RingPoolClient | FakeRingPool, RingPoolError.RingPoolError> =>
  RingPoolClient.layer(clientOptions).pipe(Layer.provideMerge(layer(options)))
