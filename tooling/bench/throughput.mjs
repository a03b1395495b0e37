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
  // In turns (three rounds of a third each), so that a machine that drifts during the run moves every contender.
  const seconds = Object.fromEntries(Object.keys(contenders).map((name) => [name, 0]))
  const before = client.stats()
  const share = Math.ceil(total / 3)
  for (let round = 0; round < 3; round++) {
    for (const [name, allocate] of Object.entries(contenders)) {
      seconds[name] += share / (await closedLoop(allocate, { total: share, callers, from: offset }))
      offset += share
    }
  }
  const rate = Object.fromEntries(Object.entries(seconds).map(([name, s]) => [name, (3 * share) / s]))
  const after = client.stats()
  const idle = await interleavedLatencies(contenders, { count: idleCount, from: offset })
  await client.close()
  viaHttp.close()
  return { rate, idle, rowsPerBulkCall: (after.rows - before.rows) / (after.bulkCalls - before.bulkCalls) }
}
