// The package's library face, as a consumer imports it: the built `dist/index.js` through the package's exports,
// in a process of its own, with the types it ships naming no other package.
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"

describe("@ringpool/cli as a library", () => {
  it("main(argv) runs the command in-process and resolves to its exit code", () => {
    const script =
      'const { main } = await import("@ringpool/cli");' +
      'const code = await main(["suffix", "--pool", "12345", "--key", "secret-key", "m1=autos"]);' +
      "console.log(`exit ${code}`)"
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url),
      encoding: "utf8"
    })
    assert.strictEqual(output, "12345/allocate_number.json?ring_pool_key=<redacted>&m1=autos\nexit 0\n")
  })

  it("masks the keys of the arguments main was given, not only those of process.argv", () => {
    const script =
      'const { main } = await import("@ringpool/cli");' +
      'const key = "SECRET" + "KEY12345";' +
      'const run = main(["bulk", "-", "--dry-run", "--key", key, "--base-url", "ftp://" + key]);' +
      // Another command in the same process while the first runs: the first still masks its own key.
      'await main(["--version"]);' +
      "process.exitCode = await run;"
    let stderr = ""
    try {
      execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: new URL("..", import.meta.url),
        encoding: "utf8",
        input: "",
        stdio: ["pipe", "pipe", "pipe"]
      })
      assert.fail("a base URL that is not http(s) is a usage error")
    } catch (error) {
      stderr = (error as { stderr: string }).stderr
    }
    assert.include(stderr, "--base-url / RINGPOOL_BASE_URL must be an http(s) URL")
    assert.notInclude(stderr, "SECRETKEY")
    assert.notInclude(stderr, "KEY12345")
  })

  it("ships types for it that name no other module", () => {
    const declared = readFileSync(new URL("../dist/index.d.ts", import.meta.url), "utf8")
    assert.include(declared, "export declare const main: (argv: ReadonlyArray<string>) => Promise<number>")
    assert.notMatch(declared, /^\s*(import|export .* from) /m)
  })
})
