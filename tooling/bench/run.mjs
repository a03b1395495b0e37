#!/usr/bin/env node
// `pnpm bench`: every benchmark of the toolkit on this machine, side by side in one run, printed as a table and
// written to BENCHMARKS.md with the machine, Node version and date. Ratios are what to read: the machines are
// shared and noisy, so absolute figures move from run to run while ratios measured together hold.
// `--quick` runs smaller counts (a smoke run, not figures to quote).
import { writeFile } from "node:fs/promises"
import { cpus, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import { cli } from "./cli.mjs"
import { coreInProcess } from "./coreInProcess.mjs"
import { fakeServerAlone } from "./fakeServerAlone.mjs"
import { fixed } from "./measure.mjs"
import { middleware } from "./middleware.mjs"
import { startProcess } from "./processes.mjs"
import { throughput } from "./throughput.mjs"

const quick = process.argv.includes("--quick")
const size = {
  total: quick ? 10_000 : 100_000,
  callers: 256,
  idleCount: quick ? 200 : 2_000,
  fakeSeconds: quick ? 2 : 5,
  pageSeconds: quick ? 3 : 10,
  cliSizes: quick ? [10_000, 100_000] : [100_000, 1_000_000]
}

const rows = []
const verdictOf = (met) => (met ? "met" : "MISSED")
const add = (benchmark, figure, target, verdict) => {
  rows.push({ benchmark, figure, target, verdict })
  console.error(`${benchmark}: ${figure}${target ? ` (target ${target}: ${verdict})` : ""}`)
}

const fake = await startProcess(fileURLToPath(new URL("./fakeServer.mjs", import.meta.url)))
try {
  const t = await throughput(fake.url, size)
  add(
    `1. Throughput, ${fixed(size.total)} allocations, ${size.callers} callers`,
    `coalesced ${fixed(t.rate.coalesced)}/s (${fixed(t.rowsPerBulkCall, 1)} rows per bulk call); fetch baseline ${fixed(t.rate.fetch)}/s; node:http baseline ${fixed(t.rate.http)}/s; ratio ${fixed(t.rate.coalesced / t.rate.fetch, 1)}x fetch, ${fixed(t.rate.coalesced / t.rate.http, 1)}x node:http`,
    ">= 10x the fetch baseline (the issue's); the design card's stricter node:http baseline also shown",
    `${verdictOf(t.rate.coalesced / t.rate.fetch >= 10)} vs fetch; ${verdictOf(t.rate.coalesced / t.rate.http >= 10)} vs node:http`
  )
  const p50Ratio = t.idle.coalesced.p50 / t.idle.fetch.p50
  const p50RatioHttp = t.idle.coalesced.p50 / t.idle.http.p50
  add(
    `2. Idle latency, ${fixed(size.idleCount)} sequential allocations`,
    `coalesced p50 ${fixed(t.idle.coalesced.p50, 3)} ms, p99 ${fixed(t.idle.coalesced.p99, 3)} ms; fetch p50 ${fixed(t.idle.fetch.p50, 3)} / p99 ${fixed(t.idle.fetch.p99, 3)} ms; node:http p50 ${fixed(t.idle.http.p50, 3)} / p99 ${fixed(t.idle.http.p99, 3)} ms; p50 ratio ${fixed(p50Ratio, 2)} vs fetch, ${fixed(p50RatioHttp, 2)} vs node:http`,
    "p50 <= 1.2x the fetch baseline; node:http also shown",
    `${verdictOf(p50Ratio <= 1.2)} vs fetch; ${verdictOf(p50RatioHttp <= 1.2)} vs node:http`
  )
  const core = await coreInProcess(size)
  add(
    `3. Core overhead, in-process transport, ${fixed(size.total)} allocations`,
    `on the testkit's in-process fake ${fixed(core.fake.rate)}/s (${fixed(core.fake.microsPerAllocation, 2)} µs per allocation, the fake's own pool work included); on a bare echo transport ${fixed(core.echo.rate)}/s (${fixed(core.echo.microsPerAllocation, 2)} µs: the client alone)`,
    ">= 100,000/s",
    `${verdictOf(core.echo.rate >= 100_000)} by the client alone; ${verdictOf(core.fake.rate >= 100_000)} with the fake`
  )
  const server = await fakeServerAlone(fake.url, { seconds: size.fakeSeconds })
  add("4. Fake server alone, bulk calls of 100 rows", `${fixed(server.rowsPerSecond)} rows/s`, "", "")
  const page = await middleware(fake.url, { seconds: size.pageSeconds })
  add(
    "5. Express page, autocannon, 100 connections",
    `with the middleware ${fixed(page.ringpool.rps)} req/s (p99 ${page.ringpool.p99} ms, ${page.ringpool.errors} errors); fixed number ${fixed(page.fixed.rps)} req/s (p99 ${page.fixed.p99} ms); ratio ${fixed(page.ringpool.rps / page.fixed.rps, 2)}`,
    "ratio >= 0.5",
    verdictOf(page.ringpool.rps / page.fixed.rps >= 0.5)
  )
  const [small, large] = size.cliSizes
  const files = await cli(fake.url, { sizes: size.cliSizes })
  const mb = (bytes) => `${fixed(bytes / 1024 / 1024)} MB`
  add(
    `6. ringpool bulk, NDJSON, ${fixed(small)} and ${fixed(large)} rows`,
    `${fixed(files[large].rowsPerSecond)} rows/s at ${fixed(large)} (${fixed(files[small].rowsPerSecond)} at ${fixed(small)}); peak RSS ${mb(files[large].peakBytes)} vs ${mb(files[small].peakBytes)} (${fixed(files[large].peakBytes / files[small].peakBytes, 2)}x)`,
    "peak < 250 MB and <= 1.3x the smaller file's",
    verdictOf(files[large].peakBytes < 250 * 1024 * 1024 && files[large].peakBytes <= 1.3 * files[small].peakBytes)
  )
} finally {
  await fake.stop()
}

const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${fixed(totalmem() / 1024 ** 3)} GiB`
const header = [
  "# Benchmarks",
  "",
  `Run with \`pnpm bench\`${quick ? " --quick (smaller counts: a smoke run)" : ""} on ${new Date().toISOString().slice(0, 10)}.`,
  `Machine: ${machine}. Node ${process.version}. The fake runs in a process of its own on loopback.`,
  "Figures measured side by side in one run; on a shared machine read the ratios, not the absolute figures.",
  "",
  "| benchmark | figures | target | verdict |",
  "|---|---|---|---|"
]
const table = rows.map((r) => `| ${r.benchmark} | ${r.figure} | ${r.target} | ${r.verdict} |`)
// What the profiles said when these benchmarks were built (see the closing notes of the benchmark issue).
const notes = [
  "",
  "Reading the misses:",
  "- 1 vs node:http: the coalesced client is bounded by the fake, not by itself. Benchmark 4 is the fake's ceiling",
  "  (its handler alone costs about 4.5 µs per row: suffix parsing, leases, logs, JSON); no client allocates faster than",
  "  that against it. A one-row node:http call per allocation is bounded by the fake's per-call work instead.",
  "- 2 vs node:http: a CPU profile of idle allocations puts about 30% of the client process's busy time in Effect's",
  "  runtime and HttpClient (fiber, request and response wrapping) and 9% in undici; the hand-written node:http",
  "  baseline has none of that. Against fetch, the issue's baseline, the client is at parity.",
  "- 3: the figure on the fake includes the fake's own pool work; the echo transport leaves the client's cost alone."
]
const text = `${[...header, ...table, ...notes].join("\n")}\n`
console.log(text)
if (!quick) await writeFile(new URL("../../BENCHMARKS.md", import.meta.url), text)
