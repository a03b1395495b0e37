import { assert, it } from "@effect/vitest"
import { RingPoolClient } from "@ringpool/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { FakeRingPool } from "../../src/index.ts"

// The core client on an in-process fake (no sockets), with the fake at hand for assertions.
const TestLayer = FakeRingPool.layerClient({ pools: [{ id: "123", key: "test-key", size: 1, lifetimeSeconds: 60 }] })

it.effect("a number comes back to the pool after its lifetime", () =>
  Effect.gen(function* () {
    const client = yield* RingPoolClient.RingPoolClient
    const fake = yield* FakeRingPool.FakeRingPool
    const visit = (requestId: string) =>
      client.allocate({ ringPoolId: "123", ringPoolKey: "test-key", params: { m1: "autos" }, requestId })

    const first = yield* visit("v1")
    assert.isTrue((yield* visit("v2")).overflow)
    yield* TestClock.adjust("60 seconds")
    assert.strictEqual((yield* visit("v3")).promoNumber, first.promoNumber)
    assert.strictEqual((yield* fake.allocations).length, 3)
  }).pipe(Effect.provide(TestLayer))
)
