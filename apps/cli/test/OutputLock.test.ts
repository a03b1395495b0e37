/**
 * The lock of an --output FILE, in this process (whose pid names the lock's own file): what it will not open, read
 * or remove.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as OutputLock from "../src/output/OutputLock.ts"

const dir = mkdtempSync(join(tmpdir(), "ringpool-lock-"))

const refusalOf = (run: () => unknown): string => {
  try {
    run()
  } catch (error) {
    return (error as Error).message
  }
  return assert.fail("expected a refusal")
}

describe("the output's lock", () => {
  it("writes its own file anew: a pipe there does not make it wait, a link there does not make it write elsewhere", () => {
    for (const [name, plant] of [
      ["pipe", (path: string) => execFileSync("mkfifo", [path])],
      ["link", (path: string) => symlinkSync(join(dir, "victim.txt"), path)]
    ] as const) {
      writeFileSync(join(dir, "victim.txt"), "untouched\n")
      const output = join(dir, `${name}.ndjson`)
      const lockPath = OutputLock.pathOf(output)
      plant(`${lockPath}.${process.pid}`)
      const lock = OutputLock.acquire(output)
      assert.strictEqual(readFileSync(lockPath, "utf8"), `${process.pid}\n`)
      assert.strictEqual(readFileSync(join(dir, "victim.txt"), "utf8"), "untouched\n", name)
      lock.release()
      assert.isFalse(existsSync(lockPath))
    }
  })

  it("refuses a lock that holds no process id (not one a run wrote), and leaves it", () => {
    const output = join(dir, "foreign.ndjson")
    const lockPath = OutputLock.pathOf(output)
    writeFileSync(lockPath, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0a]))
    const refusal = refusalOf(() => OutputLock.acquire(output))
    assert.include(refusal, "holds no process id, so it is not a lock a ringpool bulk wrote")
    assert.isTrue(existsSync(lockPath))
  })
})
