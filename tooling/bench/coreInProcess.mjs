// Benchmark 3: the client's own cost per allocation, on the testkit's in-process transport (no sockets):
// validation, suffix, coalescing, one JSON row each way, the fake's handler, one outcome.
import { createRingPoolClient } from "@ringpool/core"
import { FakeRingPool } from "@ringpool/testkit"
import { closedLoop } from "./measure.mjs"
import { row } from "./processes.mjs"

export const coreInProcess = async ({ total, callers }) => {
  const pools = [{ id: "1", key: "bench-key", size: 2_000_000 }]
  const client = createRingPoolClient({
    httpClient: FakeRingPool.layer({ pools, logLimit: { allocations: 1_000, calls: 100 } })
  })
  const allocate = (i) => client.allocate(row(i))
  await closedLoop(allocate, { total: 5_000, callers })
  const rate = await closedLoop(allocate, { total, callers, from: 5_000 })
  await client.close()
  return { rate, microsPerAllocation: 1e6 / rate }
}
