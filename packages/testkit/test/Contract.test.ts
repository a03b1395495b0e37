/**
 * The core client against the fake, for every fault, on each of the core's transports: the Effect `HttpClient`
 * (the fake's in-process client, no sockets) and the core's own `node:http` transport against the fake on a real
 * port; and the Promise face, whose callers meet in its coalescer. Each row gets exactly one outcome, and no row is
 * ever given a number that the fake's log gave to another row.
 */

import { assert, describe, it } from "@effect/vitest"
import { type ClientOptions, createRingPoolClient, RingPoolClient, type RingPoolError } from "@ringpool/core"
import * as RingPoolNode from "@ringpool/core/node"
import { Effect, Layer } from "effect"
import { FakeRingPool, FakeRingPoolServer, startFakeRingPoolServer } from "../src/index.ts"
import { checkContract, clientOptions, poolOptions, rows, scenarios } from "./support/contract.ts"

interface Transport {
  readonly name: string
  /** The core's client on this transport, and the fake it talks to. */
  readonly layer: (
    options: ClientOptions.ClientOptions
  ) => Layer.Layer<RingPoolClient.RingPoolClient | FakeRingPool.FakeRingPool, RingPoolError.RingPoolError>
}

const transports: ReadonlyArray<Transport> = [
  {
    name: "RingPoolClient.layer on the fake's in-process HttpClient",
    layer: (options) => FakeRingPool.layerClient({ pools: poolOptions }, options)
  },
  {
    name: "RingPoolNode.layer (node:http) against the fake on a port",
    layer: (options) =>
      Layer.unwrap(
        Effect.map(FakeRingPoolServer.Address, ({ url }) => RingPoolNode.layer({ ...options, baseUrl: url }))
      ).pipe(
        Layer.provideMerge(FakeRingPoolServer.layer()),
        Layer.provideMerge(FakeRingPool.layerFake({ pools: poolOptions }))
      )
  }
]

for (const transport of transports) {
  describe(`contract: ${transport.name}`, () => {
    for (const scenario of scenarios) {
      it.live(scenario.name, () =>
        Effect.gen(function* () {
          const client = yield* RingPoolClient.RingPoolClient
          const fake = yield* FakeRingPool.FakeRingPool
          for (const injection of scenario.faults) yield* fake.inject(injection)
          const outcomes = yield* client.allocateAll(rows)
          const bulkCalls = (yield* fake.calls).filter((call) => call.kind === "bulk").length
          checkContract(scenario, outcomes, yield* fake.allocations, fake.fake.attribute.bind(fake.fake), bulkCalls)
        }).pipe(Effect.provide(transport.layer(clientOptions)))
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
      }).pipe(Effect.provide(transport.layer(clientOptions)))
    )
  })
}

describe("contract: createRingPoolClient (node:http) over loopback, one promise per row", () => {
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
            : { ok: false as const, error: result.reason as RingPoolError.RingPoolError }
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
