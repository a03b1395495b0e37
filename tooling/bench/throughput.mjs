// Benchmarks 1 and 2: the coalescing client against the hand-written baselines, on loopback, side by side.
import { createRingPoolClient } from "@ringpool/core"
import { fetchBaseline, httpBaseline } from "./baseline.mjs"
import { closedLoop, interleavedLatencies } from "./measure.mjs"
import { row } from "./processes.mjs"

export const throughput = async (url, { total, callers, idleCount }) => {
  const client = createRingPoolClient({ baseUrl: url })
  const coalesced = (i) => client.allocate(row(i))
  const viaFetch = fetchBaseline(url)
  const viaHttp = httpBaseline(url)
  const contenders = { coalesced, fetch: (i) => viaFetch(row(i)), http: (i) => viaHttp(row(i)) }

  // Warm every contender (JIT, connections) before any is measured.
  let offset = 0
  for (const allocate of Object.values(contenders)) {
    await closedLoop(allocate, { total: 2_000, callers, from: offset })
    offset += 2_000
  }
  const rate = {}
  for (const [name, allocate] of Object.entries(contenders)) {
    rate[name] = await closedLoop(allocate, { total, callers, from: offset })
    offset += total
  }
  const idle = await interleavedLatencies(contenders, { count: idleCount, from: offset })
  const stats = client.stats()
  await client.close()
  viaHttp.close()
  return { rate, idle, rowsPerBulkCall: stats.rows / stats.bulkCalls }
}
