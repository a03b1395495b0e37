/**
 * `ringpool fake-server` as a process: prints its URL, serves, and stops cleanly on SIGTERM.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { bin, ringpool } from "./support/cli.ts"

const dir = mkdtempSync(join(tmpdir(), "ringpool-fake-"))

describe("ringpool fake-server", () => {
  it("prints its URL on stdout, serves the pools of a file, and stops on SIGTERM with exit 0", async () => {
    const pools = join(dir, "pools.json")
    writeFileSync(pools, JSON.stringify([{ id: "555", key: "file-key", numbers: ["8005550001"] }]))
    const server = spawn(process.execPath, [bin, "fake-server", "--pools", pools, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    server.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.on("exit", (code, signal) => resolve({ code, signal }))
    )
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = ""
      server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!)
      })
      server.on("exit", () => reject(new Error(`fake-server exited early: ${stderr}`)))
    })
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)

    const first = await ringpool(["allocate", "--pool", "555", "m1=a"], {
      env: { RINGPOOL_BASE_URL: url, RINGPOOL_KEY: "file-key" }
    })
    assert.strictEqual(first.code, 0, first.stderr)
    assert.strictEqual((JSON.parse(first.stdout) as { promo_number: string }).promo_number, "8005550001")

    server.kill("SIGTERM")
    assert.deepStrictEqual(await exited, { code: 0, signal: null })
    assert.include(stderr, "serving pool 555")
    assert.include(stderr, "ringpool fake-server: stopped")
    assert.notInclude(stderr, "file-key")
  })

  it("exits 1 with one line for a pools file it cannot use", async () => {
    const bad = join(dir, "bad.json")
    writeFileSync(bad, JSON.stringify([{ id: "1", key: "k", size: 0 }]))
    const notArray = join(dir, "object.json")
    writeFileSync(notArray, JSON.stringify({ id: "1" }))
    const [invalid, shape, missing] = await Promise.all([
      ringpool(["fake-server", "--pools", bad]),
      ringpool(["fake-server", "--pools", notArray]),
      ringpool(["fake-server", "--pools", join(dir, "nope.json")])
    ])
    for (const run of [invalid, shape, missing]) {
      assert.strictEqual(run.code, 1)
      assert.strictEqual(run.stdout, "")
      assert.strictEqual(run.stderr.split("\n").length, 2, run.stderr)
    }
    assert.include(invalid.stderr, 'pool "1": size must be an integer')
    assert.include(shape.stderr, "must hold an array of pools")
    assert.include(missing.stderr, "cannot read the pools file")
  })
})
