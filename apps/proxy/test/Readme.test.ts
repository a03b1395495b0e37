import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")

describe("README", () => {
  // The examples run as tests of their own (test/readme/*.test.ts); the README must show them as they are.
  for (const example of ["embed", "coreOtlp"]) {
    it(`shows the ${example} example exactly as it runs`, () => {
      assert.include(read("../README.md"), read(`./readme/${example}.test.ts`))
    })
  }

  it("the built package is importable by plain node, as a consumer imports it", () => {
    const script =
      'const { startProxy } = await import("@ringpool/proxy"); const p = await startProxy({ port: 0, baseUrl: "http://127.0.0.1:9" }); ' +
      'const r = await fetch(p.url + "/healthz"); console.log(r.status, await r.text()); await p.close()'
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url),
      encoding: "utf8"
    })
    assert.strictEqual(output, "200 ok\n\n")
  })
})
