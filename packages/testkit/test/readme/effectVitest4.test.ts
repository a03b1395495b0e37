import { RingPoolClient } from "@ringpool/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { expect, it } from "vitest"
import { FakeRingPool } from "../../src/index.ts"

const TestLayer = FakeRingPool.layerClient({ pools: [{ id: "123", key: "test-key", size: 1, lifetimeSeconds: 60 }] })

it("a number comes back to the pool after its lifetime", () =>
  Effect.gen(function* () {
    const client = yield* RingPoolClient.RingPoolClient
    const visit = (requestId: string) =>
      client.allocate({ ringPoolId: "123", ringPoolKey: "test-key", params: { m1: "autos" }, requestId })

    const first = yield* visit("v1")
    expect((yield* visit("v2")).overflow).toBe(true)
    yield* TestClock.adjust("60 seconds")
    expect((yield* visit("v3")).promoNumber).toBe(first.promoNumber)
  }).pipe(
    Effect.provide(TestLayer),
    // The fake reads the clock of the context its layer is built in: here, the test clock.
    Effect.provide(TestClock.layer()),
    Effect.runPromise
  ))
