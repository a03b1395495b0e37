// The core's clients (Promise, and Effect on `@ringpool/core/node`) against the testkit's fake on a loopback port,
// as a user's script would use them once installed from npm.
import assert from "node:assert/strict"
import { createRingPoolClient, RingPoolClient } from "@ringpool/core"
import * as RingPoolNode from "@ringpool/core/node"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { Effect } from "effect"

const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "consumer-key", size: 2 }] })
const client = createRingPoolClient({ baseUrl: fake.url })
try {
  const row = (requestId, ringPoolKey = "consumer-key") => ({
    ringPoolId: "123",
    ringPoolKey,
    params: { m1: "autos" },
    requestId
  })
  const allocation = await client.allocate(row("A1"))
  assert.match(allocation.promoNumber, /^\d{10}$/)
  assert.equal(allocation.requestId, "A1")

  const outcomes = await client.allocateAll([row("A2"), row("A3", "wrong-key"), row("A4")])
  assert.deepEqual(
    outcomes.map((outcome) => (outcome.ok ? outcome.allocation.overflow : outcome.error.reason._tag)),
    [false, "Rejected", true],
    "one outcome per row, in order: a number, the wrong key's rejection, then the overflow number"
  )
  assert.deepEqual(
    fake.allocations().map((logged) => logged.requestId),
    ["A1", "A2", "A4"]
  )

  // The Effect face on the Node transport of `@ringpool/core/node`, on the same fake.
  const effectAllocation = await RingPoolClient.RingPoolClient.use((effectClient) =>
    effectClient.allocate(row("E1"))
  ).pipe(Effect.provide(RingPoolNode.layer({ baseUrl: fake.url })), Effect.runPromise)
  assert.equal(effectAllocation.requestId, "E1")
  console.log(
    `allocated ${allocation.promoNumberFormatted}, ${outcomes.length} rows, then one with Effect, over ${fake.url}`
  )
} finally {
  await client.close()
  await fake.close()
}
