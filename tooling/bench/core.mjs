// The core client's suite: benchmarks 1 to 3 (throughput, idle latency, the client alone).
import { coreInProcess } from "./coreInProcess.mjs"
import { throughput } from "./throughput.mjs"

export const coreSuite = async ({ size, fake, verdictOf, fixed }) => {
  const rows = []
  const t = await throughput(fake.url, size)
  rows.push({
    benchmark: `1. Throughput, ${fixed(size.total)} allocations, ${size.callers} callers`,
    figure: `coalesced ${fixed(t.rate.coalesced)}/s (${fixed(t.rowsPerBulkCall, 1)} rows per bulk call); fetch baseline ${fixed(t.rate.fetch)}/s; node:http baseline ${fixed(t.rate.http)}/s; ratio ${fixed(t.rate.coalesced / t.rate.fetch, 1)}x fetch, ${fixed(t.rate.coalesced / t.rate.http, 1)}x node:http`,
    target: ">= 10x the fetch baseline (the issue's); the design card's stricter node:http baseline also shown",
    verdict: `${verdictOf(t.rate.coalesced / t.rate.fetch >= 10)} vs fetch; ${verdictOf(t.rate.coalesced / t.rate.http >= 10)} vs node:http`
  })
  const p50Ratio = t.idle.coalesced.p50 / t.idle.fetch.p50
  const p50RatioHttp = t.idle.coalesced.p50 / t.idle.http.p50
  rows.push({
    benchmark: `2. Idle latency, ${fixed(size.idleCount)} sequential allocations`,
    figure: `coalesced p50 ${fixed(t.idle.coalesced.p50, 3)} ms, p99 ${fixed(t.idle.coalesced.p99, 3)} ms; fetch p50 ${fixed(t.idle.fetch.p50, 3)} / p99 ${fixed(t.idle.fetch.p99, 3)} ms; node:http p50 ${fixed(t.idle.http.p50, 3)} / p99 ${fixed(t.idle.http.p99, 3)} ms; p50 ratio ${fixed(p50Ratio, 2)} vs fetch, ${fixed(p50RatioHttp, 2)} vs node:http`,
    target: "p50 <= 1.2x the fetch baseline; node:http also shown",
    verdict: `${verdictOf(p50Ratio <= 1.2)} vs fetch; ${verdictOf(p50RatioHttp <= 1.2)} vs node:http`
  })
  const core = await coreInProcess(size)
  rows.push({
    benchmark: `3. Core overhead, in-process transport, ${fixed(size.total)} allocations`,
    figure: `on the testkit's in-process fake ${fixed(core.fake.rate)}/s (${fixed(core.fake.microsPerAllocation, 2)} µs per allocation, the fake's own pool work included); on a bare echo transport ${fixed(core.echo.rate)}/s (${fixed(core.echo.microsPerAllocation, 2)} µs: the client alone)`,
    target: ">= 100,000/s",
    verdict: `${verdictOf(core.echo.rate >= 100_000)} by the client alone; ${verdictOf(core.fake.rate >= 100_000)} with the fake`
  })
  return rows
}
