/**
 * Streaming: the peak memory of a bulk run does not grow with the input. 20,000 and 200,000 NDJSON rows through the
 * built binary against the fake on loopback; the child reports its own peak RSS (`process.resourceUsage().maxRSS`,
 * from a preloaded script, so the binary carries no test hook).
 *
 * The binary is run as a user runs it, through its shebang, which gives V8 heap limits (128 MB of old space, see
 * src/bin.ts): without them, on a machine with plenty of memory V8 lets garbage pile up to several times the live
 * heap before a full collection, so a long run peaks far above a short one while holding the same (~37 MiB live in both). The
 * limit is 3x what a run keeps alive; a run that kept its rows (200,000 of them are well over 128 MB as objects)
 * would blow through it or show it in its peak, and fail this test either way.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { bin } from "./support/cli.ts"

const preload = fileURLToPath(new URL("./support/peakRss.cjs", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "ringpool-memory-"))

const rowsFile = (count: number) => {
  const path = join(dir, `${count}.ndjson`)
  const lines: Array<string> = []
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ ring_pool_id: "100", request_id: `R${i}`, m1: "autos", m2: `visit-${i}` }))
  }
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

interface Measured {
  readonly code: number | null
  /** Result lines written (counted as they stream, not kept). */
  readonly results: number
  readonly peakKiB: number
  readonly summary: string
}

const measure = (file: string, baseUrl: string): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const child = spawn(bin, ["bulk", file, "--base-url", baseUrl, "--key", "pool-key"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}` }
    })
    let results = 0
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) results++
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const peak = /peak-rss-kib=(\d+)/.exec(stderr)
      if (peak === null) return reject(new Error(`no peak reported: ${stderr}`))
      resolve({ code, results, peakKiB: Number(peak[1]), summary: stderr.split("\n")[0]! })
    })
  })

let fake: FakeRingPoolServer.FakeRingPoolServer
beforeAll(async () => {
  fake = await startFakeRingPoolServer({
    pools: [{ id: "100", key: "pool-key", size: 1000 }],
    // The log is the test's memory, not the child's: keep it small.
    logLimit: { allocations: 1000, calls: 100 }
  })
})
afterAll(() => fake.close())

describe("bulk memory", () => {
  it("peaks about as high for 200,000 rows as for 20,000", { timeout: 120_000 }, async () => {
    const small = await measure(rowsFile(20_000), fake.url)
    const large = await measure(rowsFile(200_000), fake.url)
    assert.strictEqual(small.code, 0, small.summary)
    assert.strictEqual(large.code, 0, large.summary)
    assert.strictEqual(small.results, 20_000)
    assert.strictEqual(large.results, 200_000)
    const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`
    console.log(
      `20k rows: ${mib(small.peakKiB)} peak (${small.summary}); 200k rows: ${mib(large.peakKiB)} peak (${large.summary})`
    )
    assert.isAtMost(large.peakKiB, small.peakKiB * 1.5, `200k peak ${mib(large.peakKiB)} vs 20k ${mib(small.peakKiB)}`)
  })
})
