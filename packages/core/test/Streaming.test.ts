import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import { Allocation, RingPoolClient } from "../src/index.ts"
import * as RingPoolNode from "../src/node.ts"
import { startLoopbackService } from "./support/loopbackService.ts"
import { allocateEach, stubLayer } from "./support/stubService.ts"

describe("allocateStream", () => {
  it.live("allocates an unbounded stream in order, holding a bounded number of rows", () => {
    let pulled = 0
    let mostAhead = 0
    const stub = stubLayer((call) => {
      // Rows pulled from the source but not yet answered: what the stream holds in memory.
      mostAhead = Math.max(mostAhead, pulled - (stub.calls.length - 1) * 10)
      return allocateEach(call)
    })
    // One row per chunk, so that what is counted is the client's buffering, not the source's chunk size.
    const rows = Stream.range(0, 4_999).pipe(
      Stream.rechunk(1),
      Stream.map((n) => {
        pulled++
        return { ringPoolId: "3", ringPoolKey: "k", params: { n: String(n) } }
      })
    )
    return RingPoolClient.RingPoolClient.use((client) => Stream.runCollect(client.allocateStream(rows))).pipe(
      Effect.provide(RingPoolClient.layer({ maxBatchSize: 10, maxInFlight: 2 }).pipe(Layer.provide(stub.layer))),
      Effect.map((outcomes) => {
        assert.strictEqual(outcomes.length, 5_000)
        outcomes.forEach((outcome, n) => {
          assert.isTrue(outcome.ok)
          if (outcome.ok) assert.strictEqual(outcome.allocation.promoNumber, String(8_000_000_000 + n))
        })
        // Groups of maxBatchSize (one may leave early when the source is slow: groups wait at most 5 ms).
        assert.isTrue(stub.calls.every((call) => call.rows.length <= 10))
        assert.isAtMost(stub.calls.length, 510)
        // Bounded: the source is never read far ahead of the answers (a few groups of buffering, not the whole input).
        assert.isBelow(mostAhead, 200)
      })
    )
  })
})

describe("layers", () => {
  it.effect("layerConfig refuses what fromEnv refuses, as a ConfigError that says what to write, before any row", () =>
    Effect.gen(function* () {
      const cases: Array<[Record<string, string>, string, Record<string, number>?]> = [
        [
          { RINGPOOL_MAX_BATCH_SIZE: "abc" },
          'ringpool: RINGPOOL_MAX_BATCH_SIZE must be a whole number such as 100, got "abc"'
        ],
        [
          { RINGPOOL_MAX_IN_FLIGHT: "1e3" },
          'ringpool: RINGPOOL_MAX_IN_FLIGHT must be a whole number such as 8, got "1e3"'
        ],
        [{ RINGPOOL_MAX_BATCH_SIZE: "0" }, "ringpool: maxBatchSize must be a positive integer, got 0"],
        [{ RINGPOOL_BASE_URL: "pnapi.invoca.net" }, "ringpool: baseUrl must be an http(s) URL"]
      ]
      for (const [env, message] of cases) {
        const provider = ConfigProvider.fromEnv({ env })
        const error = yield* Effect.flip(
          Layer.build(RingPoolNode.layerConfig()).pipe(Effect.provide(ConfigProvider.layer(provider)), Effect.scoped)
        )
        assert.strictEqual(error._tag, "ConfigError", JSON.stringify(env))
        assert.include(error.message, message)
        assert.notInclude(error.message, "ringpool: ringpool:")
      }
      // Options given in code that are wrong: the layer fails, saying which option and what to write, once.
      const stub = stubLayer(allocateEach)
      const wrong = yield* Effect.flip(
        Layer.build(RingPoolClient.layer({ maxBatchSize: 0 }).pipe(Layer.provide(stub.layer))).pipe(Effect.scoped)
      )
      assert.strictEqual(
        wrong.message,
        "Invalid allocation request: the client's options: maxBatchSize must be a positive integer, got 0"
      )
      // What the environment gets wrong, options given can still put right; a value set to nothing is not set.
      const provider = ConfigProvider.fromEnv({ env: { RINGPOOL_MAX_BATCH_SIZE: "0", RINGPOOL_MAX_IN_FLIGHT: " " } })
      yield* Layer.build(RingPoolNode.layerConfig({ maxBatchSize: 10 })).pipe(
        Effect.provide(ConfigProvider.layer(provider)),
        Effect.scoped
      )
    })
  )

  it.live("@ringpool/core/node layerConfig reads RINGPOOL_* and allocates over keep-alive HTTP", () =>
    Effect.gen(function* () {
      const service = yield* Effect.acquireRelease(Effect.promise(startLoopbackService), (s) => Effect.promise(s.close))
      const provider = ConfigProvider.fromEnv({
        // Spaces around values (a key file's last newline) are not part of them, as createRingPoolClient reads them.
        env: { RINGPOOL_BASE_URL: ` ${service.url} `, RINGPOOL_KEY: "  env-key\n", RINGPOOL_MAX_BATCH_SIZE: "2" }
      })
      const allocations = yield* RingPoolClient.RingPoolClient.use((client) =>
        Effect.forEach([1, 2, 3], (n) => client.allocate({ ringPoolId: "8", params: { n: String(n) } }), {
          concurrency: "unbounded"
        })
      ).pipe(Effect.provide(RingPoolNode.layerConfig().pipe(Layer.provide(ConfigProvider.layer(provider)))))
      assert.deepStrictEqual(
        allocations.map((a) => a.promoNumber),
        ["8000000001", "8000000002", "8000000003"]
      )
      assert.deepStrictEqual(
        service.calls.map((call) => call.rows.length),
        [2, 1]
      )
      assert.include(service.calls[0]!.rows[0]!.api_suffix, "ring_pool_key=env-key&")
    }).pipe(Effect.scoped)
  )

  it.effect("a bad option fails the layer with InvalidRequest", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(RingPoolNode.layer({ maxInFlight: -1 })))
      assert.strictEqual(error._tag, "RingPoolError")
      assert.include(error.message, "maxInFlight must be a positive integer")
    }).pipe(Effect.scoped)
  )
})

describe("Allocation.toE164", () => {
  it("gives +1 for a 10-digit North American number", () => {
    assert.strictEqual(Allocation.toE164({ promoNumber: "8883906665" }), "+18883906665")
    assert.strictEqual(Allocation.toE164({ promoNumber: "18883906665" }), "+18883906665")
  })
})
