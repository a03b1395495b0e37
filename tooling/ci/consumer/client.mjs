// The core's Promise client against the testkit's fake on a loopback port, as a user's script would use them
// once both are installed from npm.
import assert from "node:assert/strict"
import { createRingPoolClient } from "@ringpool/core"
import { startFakeRingPoolServer } from "@ringpool/testkit"

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
  console.log(`allocated ${allocation.promoNumberFormatted} and ${outcomes.length} more rows over ${fake.url}`)
} finally {
  await client.close()
  await fake.close()
}
