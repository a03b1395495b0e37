/**
 * The core client against the fake, in-process (the `HttpClient` layer, no sockets) and over loopback (the Promise
 * client on a real port), for every fault: each row gets exactly one outcome, and no row is ever given a number
 * that the fake's log gave to another row.
 */

import { assert, describe, it } from "@effect/vitest"
import { createRingPoolClient, RingPoolClient } from "@ringpool/core"
import { Effect } from "effect"
import { FakeRingPool, startFakeRingPoolServer } from "../src/index.ts"
import { checkContract, clientOptions, poolOptions, rows, scenarios } from "./support/contract.ts"

describe("contract: RingPoolClient.layer on the in-process HttpClient", () => {
  for (const scenario of scenarios) {
    it.live(scenario.name, () =>
      Effect.gen(function* () {
        const client = yield* RingPoolClient.RingPoolClient
        const fake = yield* FakeRingPool.FakeRingPool
        for (const injection of scenario.faults) yield* fake.inject(injection)
        const outcomes = yield* client.allocateAll(rows)
        const bulkCalls = (yield* fake.calls).filter((call) => call.kind === "bulk").length
        checkContract(scenario, outcomes, yield* fake.allocations, fake.fake.attribute.bind(fake.fake), bulkCalls)
      }).pipe(Effect.provide(FakeRingPool.layerClient({ pools: poolOptions }, clientOptions)))
    )
  }

  it.live("a 500's error handle reaches the caller", () =>
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const fake = yield* FakeRingPool.FakeRingPool
      yield* fake.inject({ fault: "status", status: 500 })
      const error = yield* Effect.flip(client.allocate(rows[0]!))
      assert.strictEqual(error.reason._tag, "ServiceError")
      if (error.reason._tag !== "ServiceError") return
      assert.strictEqual(error.reason.errorClass, "InternalServiceError")
      assert.isTrue(Number.isSafeInteger(error.reason.errorHandle))
      assert.include(String((yield* fake.calls)[0]!.error?.invalid_data), String(error.reason.errorHandle))
    }).pipe(Effect.provide(FakeRingPool.layerClient({ pools: poolOptions }, clientOptions)))
  )
})

describe("contract: createRingPoolClient over loopback", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const fake = await startFakeRingPoolServer({ pools: poolOptions })
      const client = createRingPoolClient({ baseUrl: fake.url, ...clientOptions })
      try {
        for (const injection of scenario.faults) fake.inject(injection)
        // One promise per row, concurrently: the rows meet in the client's coalescer, as page views do.
        const settled = await Promise.allSettled(rows.map((row) => client.allocate(row)))
        const outcomes = settled.map((result) =>
          result.status === "fulfilled"
            ? { ok: true as const, allocation: result.value }
            : { ok: false as const, error: result.reason as Extract<RingPoolClient.Outcome, { ok: false }>["error"] }
        )
        const bulkCalls = fake.calls().filter((call) => call.kind === "bulk").length
        checkContract(scenario, outcomes, fake.allocations(), fake.attribute, bulkCalls)
      } finally {
        await client.close()
        await fake.close()
      }
    })
  }
})
