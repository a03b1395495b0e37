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
const add = (benchmark, figure, target, met) => {
  rows.push({ benchmark, figure, target, verdict: met === undefined ? "" : met ? "met" : "MISSED" })
  console.error(`${benchmark}: ${figure}${target ? ` (target ${target}: ${met ? "met" : "MISSED"})` : ""}`)
}

const fake = await startProcess(fileURLToPath(new URL("./fakeServer.mjs", import.meta.url)))
try {
  const t = await throughput(fake.url, size)
  const strictest = Math.max(t.rate.fetch, t.rate.http)
  add(
    `1. Throughput, ${fixed(size.total)} allocations, ${size.callers} callers`,
    `coalesced ${fixed(t.rate.coalesced)}/s (${fixed(t.rowsPerBulkCall, 1)} rows per bulk call); fetch baseline ${fixed(t.rate.fetch)}/s; node:http baseline ${fixed(t.rate.http)}/s; ratio ${fixed(t.rate.coalesced / t.rate.fetch, 1)}x fetch, ${fixed(t.rate.coalesced / t.rate.http, 1)}x node:http`,
    ">= 10x the baseline",
    t.rate.coalesced / strictest >= 10
  )
  const p50Ratio = t.idle.coalesced.p50 / Math.min(t.idle.fetch.p50, t.idle.http.p50)
  add(
    `2. Idle latency, ${fixed(size.idleCount)} sequential allocations`,
    `coalesced p50 ${fixed(t.idle.coalesced.p50, 3)} ms, p99 ${fixed(t.idle.coalesced.p99, 3)} ms; fetch p50 ${fixed(t.idle.fetch.p50, 3)} / p99 ${fixed(t.idle.fetch.p99, 3)} ms; node:http p50 ${fixed(t.idle.http.p50, 3)} / p99 ${fixed(t.idle.http.p99, 3)} ms; p50 ratio ${fixed(p50Ratio, 2)} (vs the faster baseline)`,
    "p50 <= 1.2x the baseline",
    p50Ratio <= 1.2
  )
  const core = await coreInProcess(size)
  add(
    `3. Core overhead, in-process transport, ${fixed(size.total)} allocations`,
    `${fixed(core.rate)} allocations/s, ${fixed(core.microsPerAllocation, 2)} µs per allocation`,
    ">= 100,000/s",
    core.rate >= 100_000
  )
  const server = await fakeServerAlone(fake.url, { seconds: size.fakeSeconds })
  add("4. Fake server alone, bulk calls of 100 rows", `${fixed(server.rowsPerSecond)} rows/s`, "", undefined)
  const page = await middleware(fake.url, { seconds: size.pageSeconds })
  add(
    "5. Express page, autocannon, 100 connections",
    `with the middleware ${fixed(page.ringpool.rps)} req/s (p99 ${page.ringpool.p99} ms, ${page.ringpool.errors} errors); fixed number ${fixed(page.fixed.rps)} req/s (p99 ${page.fixed.p99} ms); ratio ${fixed(page.ringpool.rps / page.fixed.rps, 2)}`,
    "ratio >= 0.5",
    page.ringpool.rps / page.fixed.rps >= 0.5
  )
  const [small, large] = size.cliSizes
  const files = await cli(fake.url, { sizes: size.cliSizes })
  const mb = (bytes) => `${fixed(bytes / 1024 / 1024)} MB`
  add(
    `6. ringpool bulk, NDJSON, ${fixed(small)} and ${fixed(large)} rows`,
    `${fixed(files[large].rowsPerSecond)} rows/s at ${fixed(large)} (${fixed(files[small].rowsPerSecond)} at ${fixed(small)}); peak RSS ${mb(files[large].peakBytes)} vs ${mb(files[small].peakBytes)} (${fixed(files[large].peakBytes / files[small].peakBytes, 2)}x)`,
    "peak < 250 MB and <= 1.3x the smaller file's",
    files[large].peakBytes < 250 * 1024 * 1024 && files[large].peakBytes <= 1.3 * files[small].peakBytes
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
const text = `${[...header, ...table].join("\n")}\n`
console.log(text)
if (!quick) await writeFile(new URL("../../BENCHMARKS.md", import.meta.url), text)
