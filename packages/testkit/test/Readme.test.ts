import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")
const asPublished = (source: string) => source.replaceAll('"../../src/index.ts"', '"@ringpool/testkit"')

describe("README", () => {
  // The examples run as tests of their own (test/readme/*.test.ts); the README must show them as they are.
  for (const example of ["promise", "effect", "effectVitest4"]) {
    it(`shows the ${example} example exactly as it runs`, () => {
      assert.include(read("../README.md"), asPublished(read(`./readme/${example}.test.ts`)))
    })
  }

  it("the built package is importable by plain node, as a consumer imports it", () => {
    const script =
      'const m = await import("@ringpool/testkit"); const f = await m.startFakeRingPoolServer(); ' +
      'console.log(typeof m.FakeRingPool.layer, f.url.startsWith("http://127.0.0.1:")); await f.close()'
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url),
      encoding: "utf8"
    })
    assert.strictEqual(output.trim(), "function true")
  })
})
