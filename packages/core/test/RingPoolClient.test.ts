import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { type AllocationRequest, RingPoolClient } from "../src/index.ts"
import { allocateEach, numberFor, type StubAnswer, type StubCall, stubLayer } from "./support/stubService.ts"

const row = (
  n: number,
  extra: Partial<AllocationRequest.AllocationRequest> = {}
): AllocationRequest.AllocationRequest => ({
  ringPoolId: "42",
  ringPoolKey: "pool-key",
  params: { n: String(n) },
  requestId: `row-${n}`,
  ...extra
})

const withClient = <A, E>(
  answer: (call: StubCall, index: number) => StubAnswer,
  options: Parameters<typeof RingPoolClient.layer>[0],
  f: (client: RingPoolClient.RingPoolClient["Service"], calls: ReadonlyArray<StubCall>) => Effect.Effect<A, E>
) => {
  const stub = stubLayer(answer)
  return RingPoolClient.RingPoolClient.use((client) => f(client, stub.calls)).pipe(
    Effect.provide(RingPoolClient.layer(options).pipe(Layer.provide(stub.layer)))
  )
}

describe("allocate", () => {
  it.effect("coalesces 1,000 concurrent calls into exactly 10 bulk calls, each row getting its own number", () =>
    withClient(allocateEach, { maxBatchSize: 100 }, (client, calls) =>
      Effect.gen(function* () {
        const ns = Array.from({ length: 1000 }, (_, i) => i)
        const allocations = yield* Effect.forEach(ns, (n) => client.allocate(row(n)), { concurrency: "unbounded" })
        assert.strictEqual(calls.length, 10)
        assert.deepStrictEqual(
          calls.map((call) => call.rows.length),
          Array(10).fill(100)
        )
        allocations.forEach((allocation, n) => {
          assert.strictEqual(allocation.requestId, `row-${n}`)
          assert.strictEqual(allocation.promoNumber, String(8_000_000_000 + n))
        })
        // Each row was sent exactly once.
        const sent = calls.flatMap((call) => call.rows.map((r) => r.request_id))
        assert.strictEqual(new Set(sent).size, 1000)
      })
    )
  )

  it.effect("sends a lone call at idle without a batch window (the test clock never moves)", () =>
    withClient(allocateEach, {}, (client, calls) =>
      Effect.gen(function* () {
        const allocation = yield* client.allocate(row(7))
        assert.strictEqual(allocation.promoNumber, "8000000007")
        assert.strictEqual(calls.length, 1)
        assert.strictEqual(calls[0]!.rows.length, 1)
      })
    )
  )

  it.effect("sends a generated request_id for a row without one, and returns none", () =>
    withClient(allocateEach, {}, (client, calls) =>
      Effect.gen(function* () {
        const allocation = yield* client.allocate(row(1, { requestId: undefined }))
        assert.isUndefined(allocation.requestId)
        assert.isString(calls[0]!.rows[0]!.request_id)
      })
    )
  )

  it.effect("a caller's id repeated within one call goes out unique, and each caller gets their own row", () =>
    withClient(allocateEach, {}, (client, calls) =>
      Effect.gen(function* () {
        const allocations = yield* Effect.all(
          [client.allocate(row(1, { requestId: "same" })), client.allocate(row(2, { requestId: "same" }))],
          {
            concurrency: "unbounded"
          }
        )
        assert.strictEqual(calls.length, 1)
        const ids = calls[0]!.rows.map((r) => r.request_id)
        assert.strictEqual(new Set(ids).size, 2)
        assert.strictEqual(ids[0], "same")
        assert.deepStrictEqual(
          allocations.map((a) => [a.requestId, a.promoNumber]),
          [
            ["same", "8000000001"],
            ["same", "8000000002"]
          ]
        )
      })
    )
  )

  const invalid: Array<[string, AllocationRequest.AllocationRequest]> = [
    ["no parameters", row(1, { params: {} })],
    ["an empty pool id", row(1, { ringPoolId: "" })],
    ["ring_pool_key among the parameters", row(1, { params: { m1: "a", ring_pool_key: "x" } })],
    ["a pool id with a slash", row(1, { ringPoolId: "12/../13" })],
    ["no key", row(1, { ringPoolKey: undefined })],
    ["a parameter value that is not a string", row(1, { params: { m1: 3 as unknown as string } })],
    ["a negative numeric pool id", row(1, { ringPoolId: -4 })]
  ]
  for (const [name, request] of invalid) {
    it.effect(`refuses a request with ${name} before any I/O`, () =>
      withClient(allocateEach, {}, (client, calls) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(client.allocate(request))
          assert.isTrue(Exit.isFailure(exit))
          const error = yield* Effect.flip(client.allocate(request))
          assert.strictEqual(error.reason._tag, "InvalidRequest")
          assert.notInclude(error.message, "pool-key")
          assert.strictEqual(calls.length, 0)
        })
      )
    )
  }

  it.effect("uses the default key for rows without one", () =>
    withClient(allocateEach, { defaultKey: "env-key" }, (client, calls) =>
      Effect.gen(function* () {
        yield* client.allocate(row(3, { ringPoolKey: undefined }))
        assert.include(calls[0]!.rows[0]!.api_suffix, "ring_pool_key=env-key&")
      })
    )
  )

  it.effect("a caller's own timeout fails that caller only; the rest of its bulk call is unharmed", () =>
    withClient(
      (call) => ({ delayMs: 100, answer: allocateEach(call) }),
      {},
      (client, calls) =>
        Effect.gen(function* () {
          const impatient = yield* Effect.forkChild(Effect.exit(client.allocate(row(1), { timeoutMs: 20 })))
          const patient = yield* Effect.forkChild(client.allocate(row(2)))
          yield* TestClock.adjust(150)
          const impatientExit = yield* Fiber.join(impatient)
          const allocation = yield* Fiber.join(patient)
          assert.strictEqual(calls.length, 1)
          assert.strictEqual(calls[0]!.rows.length, 2)
          assert.isTrue(Exit.isFailure(impatientExit))
          if (Exit.isFailure(impatientExit)) {
            const error = impatientExit.cause.reasons.find((r) => r._tag === "Fail")
            assert.strictEqual((error as { error: { reason: { _tag: string } } }).error.reason._tag, "Timeout")
          }
          assert.strictEqual(allocation.promoNumber, "8000000002")
        })
    )
  )
})

describe("allocateAll", () => {
  it.effect("250 rows in chunks of 100; the second chunk's transport failure fails rows 101-200 only, in order", () =>
    withClient(
      (call, index) => (index === 1 ? { fail: "reset" } : allocateEach(call)),
      { maxBatchSize: 100 },
      (client, calls) =>
        Effect.gen(function* () {
          const outcomes = yield* client.allocateAll(Array.from({ length: 250 }, (_, i) => row(i + 1)))
          assert.strictEqual(outcomes.length, 250)
          assert.deepStrictEqual(
            calls.map((call) => call.rows.length),
            [100, 100, 50]
          )
          outcomes.forEach((outcome, i) => {
            const n = i + 1
            if (n >= 101 && n <= 200) {
              assert.isFalse(outcome.ok, `row ${n}`)
              if (!outcome.ok) {
                assert.strictEqual(outcome.error.reason._tag, "Transport")
                assert.strictEqual(outcome.error.requestId, `row-${n}`)
              }
            } else {
              assert.isTrue(outcome.ok, `row ${n}`)
              if (outcome.ok)
                assert.strictEqual(
                  outcome.allocation.promoNumber,
                  numberFor(calls.flatMap((c) => c.rows)[i]!.api_suffix)
                )
            }
          })
        })
    )
  )

  it.effect("keeps at most maxInFlight bulk calls open", () => {
    const stub = stubLayer((call) => ({ delayMs: 10, answer: allocateEach(call) }))
    return RingPoolClient.RingPoolClient.use((client) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(client.allocateAll(Array.from({ length: 100 }, (_, i) => row(i))))
        for (let i = 0; i < 10; i++) yield* TestClock.adjust(10)
        const outcomes = yield* Fiber.join(fiber)
        assert.isTrue(outcomes.every((o) => o.ok))
        assert.strictEqual(stub.calls.length, 10)
        assert.strictEqual(stub.concurrency.most, 3)
      })
    ).pipe(Effect.provide(RingPoolClient.layer({ maxBatchSize: 10, maxInFlight: 3 }).pipe(Layer.provide(stub.layer))))
  })

  it.effect("an invalid row gets its own error and does not hold back the others", () =>
    withClient(allocateEach, {}, (client) =>
      Effect.gen(function* () {
        const outcomes = yield* client.allocateAll([row(1), row(2, { params: [] }), row(3)])
        assert.deepStrictEqual(
          outcomes.map((o) => (o.ok ? o.allocation.promoNumber : o.error.reason._tag)),
          ["8000000001", "InvalidRequest", "8000000003"]
        )
      })
    )
  )
})
