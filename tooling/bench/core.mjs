// The core client's suite: throughput and idle latency against the strict node:http baseline (and fetch), with the
// fake in a process of its own and in the client's own process (as in a user's test suite, where both share one
// thread), and the client alone on transports that answer at once.
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { coreInProcess } from "./coreInProcess.mjs"
import { throughput } from "./throughput.mjs"

// The same pool as the fake's own process (fakeServer.mjs): big enough that no benchmark runs into overflow.
const pools = [{ id: "1", key: "bench-key", size: 2_000_000 }]

export const coreSuite = async ({ size, fake, verdictOf, fixed }) => {
  const rows = []
  const inProcess = await startFakeRingPoolServer({ pools, port: 0 })
  const where = { "its own process": await throughput(fake.url, size) }
  where["the client's process"] = await throughput(inProcess.url, size)
  await inProcess.close()
  for (const [place, t] of Object.entries(where)) {
    rows.push({
      benchmark: `Throughput, ${fixed(size.total)} allocations, ${size.callers} callers, fake in ${place}`,
      figure: `coalesced ${fixed(t.rate.coalesced)}/s (${fixed(t.rowsPerBulkCall, 1)} rows per bulk call); node:http baseline ${fixed(t.rate.http)}/s: ${fixed(t.rate.coalesced / t.rate.http, 1)}x; fetch baseline ${fixed(t.rate.fetch)}/s: ${fixed(t.rate.coalesced / t.rate.fetch, 1)}x`,
      target: ">= 10x the node:http baseline (stretch 20x)",
      verdict: verdictOf(t.rate.coalesced / t.rate.http >= 10)
    })
  }
  for (const [place, t] of Object.entries(where)) {
    const ratio = t.idle.coalesced.p50 / t.idle.http.p50
    rows.push({
      benchmark: `Idle latency, ${fixed(size.idleCount)} sequential allocations each, interleaved, fake in ${place}`,
      figure: `coalesced p50 ${fixed(t.idle.coalesced.p50, 3)} ms (p99 ${fixed(t.idle.coalesced.p99, 3)}); node:http p50 ${fixed(t.idle.http.p50, 3)} ms (p99 ${fixed(t.idle.http.p99, 3)}): ${fixed(ratio, 2)}x; fetch p50 ${fixed(t.idle.fetch.p50, 3)} ms: ${fixed(t.idle.coalesced.p50 / t.idle.fetch.p50, 2)}x`,
      target: "p50 <= 1.2x the node:http baseline",
      verdict: verdictOf(ratio <= 1.2)
    })
  }
  const core = await coreInProcess(size)
  rows.push({
    benchmark: `The client alone, ${fixed(size.total)} allocations, ${size.callers} callers, no sockets`,
    figure: `on a transport that answers at once ${fixed(core.echo.rate)}/s (${fixed(core.echo.microsPerAllocation, 2)} µs per allocation); on the testkit's in-process fake ${fixed(core.fake.rate)}/s (${fixed(core.fake.microsPerAllocation, 2)} µs, the fake's own pool work included)`,
    target: ">= 300,000/s on the answer-at-once transport",
    verdict: verdictOf(core.echo.rate >= 300_000)
  })
  return rows
}
