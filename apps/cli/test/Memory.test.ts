/**
 * Memory stays bounded by construction, not by heap flags: the peak of a bulk run does not grow with the input,
 * whether the command starts through its bin (the shebang) or as `node dist/bin.js`, and rows of 1 MB each go a
 * few at a time, so that a run that asks for 1,000-row calls 32 at a time is never killed by a heap limit.
 *
 * Each child reports its own peak RSS (`process.resourceUsage().maxRSS`, from a preloaded script, so the binary
 * carries no test hook). The benchmark (tooling/bench/cli.mjs) measures 100,000 against 1,000,000 rows; these
 * tests use smaller files to stay quick, with a looser bound: a run that kept its rows (200,000 rows as objects
 * are well over 100 MB) would fail them.
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { bin } from "./support/cli.ts"
import { writeLines } from "./support/files.ts"

const preload = fileURLToPath(new URL("./support/peakRss.cjs", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "ringpool-memory-"))

const rowsFile = (name: string, count: number, row: (i: number) => string) => writeLines(join(dir, name), count, row)

interface Measured {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Result lines written, and how many of each outcome (counted as they stream, not kept). */
  readonly results: number
  readonly outcomes: Map<string, number>
  readonly peakMiB: number
  readonly summary: string
}

/** Runs `ringpool bulk` as `node dist/bin.js` or through the bin itself, and measures it. */
const measure = (how: "bin" | "node", args: ReadonlyArray<string>): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const command = how === "bin" ? bin : process.execPath
    const child = spawn(command, [...(how === "bin" ? [] : [bin]), "bulk", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      // The young generation pinned at Node 20's size: Node 24's V8 grows it to several times that before it
      // collects, which moves the peak (to about 265 MB at any length) without anything being kept. What these tests
      // check is that nothing is kept, which would grow the old generation with the input whatever the young one.
      env: { ...process.env, NODE_OPTIONS: `--require ${preload} --max-semi-space-size=16` }
    })
    let results = 0
    const outcomes = new Map<string, number>()
    let partial = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n")
      partial = lines.pop()!
      for (const line of lines) {
        results++
        const outcome = /"outcome":"(\w+)"/.exec(line)?.[1] ?? "?"
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      }
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code, signal) => {
      const peak = /peak-rss-kib=(\d+)/.exec(stderr)
      if (peak === null) return reject(new Error(`no peak reported (${code ?? signal}): ${stderr.slice(0, 2000)}`))
      resolve({ code, signal, results, outcomes, peakMiB: Number(peak[1]) / 1024, summary: stderr.split("\n")[0]! })
    })
  })

let fake: FakeRingPoolServer.FakeRingPoolServer
beforeAll(async () => {
  fake = await startFakeRingPoolServer({
    pools: [{ id: "100", key: "pool-key", size: 1000 }],
    // The log is the test's memory, not the child's: keep it small.
    logLimit: { allocations: 100, calls: 10 }
  })
})
afterAll(() => fake.close())

describe("bulk memory", () => {
  it("peaks about as high for 200,000 rows as for 20,000, through the bin and as node dist/bin.js", {
    timeout: 240_000
  }, async () => {
    const row = (i: number) =>
      JSON.stringify({ ring_pool_id: "100", request_id: `R${i}`, m1: "autos", m2: `visit-${i}` })
    const [small, large] = [await rowsFile("20k.ndjson", 20_000, row), await rowsFile("200k.ndjson", 200_000, row)]
    const flags = ["--base-url", fake.url, "--key", "pool-key"]
    for (const how of ["bin", "node"] as const) {
      const a = await measure(how, [small, ...flags])
      const b = await measure(how, [large, ...flags])
      assert.strictEqual(a.code, 0, a.summary)
      assert.strictEqual(b.code, 0, b.summary)
      assert.strictEqual(a.results, 20_000)
      assert.strictEqual(b.results, 200_000)
      const mib = (n: number) => `${Math.round(n)} MiB`
      console.log(`${how}: 20k rows ${mib(a.peakMiB)} peak; 200k rows ${mib(b.peakMiB)} peak (${b.summary})`)
      assert.isAtMost(b.peakMiB, a.peakMiB * 1.5, `${how}: 200k peak ${mib(b.peakMiB)} vs 20k ${mib(a.peakMiB)}`)
      assert.isBelow(b.peakMiB, 250, how)
    }
  })

  it("runs rows of 1 MB of parameters in 1,000-row calls 32 at a time row by row, never dying of a heap limit", {
    timeout: 240_000
  }, async () => {
    const megabyte = "x".repeat(1_000_000)
    const count = 48
    const rows = await rowsFile("1mb.ndjson", count, (i) =>
      JSON.stringify({ ring_pool_id: "100", request_id: `M${i}`, big: megabyte })
    )
    const run = await measure("node", [
      rows,
      "--base-url",
      fake.url,
      "--key",
      "pool-key",
      "--max-batch-size",
      "1000",
      "--concurrency",
      "32"
    ])
    console.log(`1 MB rows: ${Math.round(run.peakMiB)} MiB peak, outcomes ${JSON.stringify([...run.outcomes])}`)
    assert.isNull(run.signal)
    assert.include([0, 2], run.code, run.summary)
    assert.strictEqual(run.results, count, "one outcome per row")
    assert.strictEqual(run.outcomes.get("?"), undefined)
    assert.isBelow(run.peakMiB, 1024)
  })
})
