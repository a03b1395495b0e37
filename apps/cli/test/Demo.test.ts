/**
 * `ringpool demo`: the first command a new user runs, with nothing configured and no network.
 */
import { assert, describe, it } from "@effect/vitest"
import { ringpool } from "./support/cli.ts"

describe("ringpool demo", () => {
  it("allocates sample rows against an in-process fake, shows an overflow and a rejected row, and exits 0", async () => {
    // Nothing configured (the helper removes RINGPOOL_*) but a service that cannot be reached: the demo must not use it.
    const run = await ringpool(["demo"], { env: { RINGPOOL_BASE_URL: "http://127.0.0.1:1" } })
    assert.strictEqual(run.code, 0, run.stderr)
    assert.strictEqual(run.stderr, "")
    const lines = run.stdout.split("\n")
    const rowOf = (id: string) => lines.find((line) => line.trimStart().startsWith(`${id} `)) ?? ""
    assert.match(rowOf("A1"), /\d{3}-\d{3}-\d{4} +allocated/)
    assert.match(rowOf("A2"), /\d{3}-\d{3}-\d{4} +allocated/)
    assert.match(rowOf("B1"), /\d{3}-\d{3}-\d{4} +allocated/)
    assert.match(rowOf("B2"), /\d{3}-\d{3}-\d{4} +overflow/)
    assert.match(rowOf("C1"), /InvalidKey +rejected/)
    assert.include(run.stdout, "API Key '<redacted>' is not valid")
    assert.notInclude(run.stdout, "demo-key")
  })

  it("names the next commands as they run where it ran: npx ringpool from npm, ringpool after a global install", async () => {
    const nextOf = (stdout: string) => stdout.slice(stdout.lastIndexOf("Next:"))
    const installed = await ringpool(["demo"])
    const fromNpm = await ringpool(["demo"], { env: { npm_command: "exec" } })
    assert.match(
      nextOf(installed.stdout),
      /^Next: ringpool fake-server .* ringpool allocate --help and ringpool bulk --help\.\n$/
    )
    assert.match(
      nextOf(fromNpm.stdout),
      /^Next: npx ringpool fake-server .* npx ringpool allocate --help and npx ringpool bulk --help\.\n$/
    )
    // Each command it names runs as named (with --help: fake-server itself would run until stopped).
    const named = [...nextOf(installed.stdout).matchAll(/ringpool ([a-z-]+)/g)].map((match) => match[1]!)
    assert.deepStrictEqual([...new Set(named)], ["fake-server", "allocate", "bulk"])
    for (const command of new Set(named)) assert.strictEqual((await ringpool([command, "--help"])).code, 0, command)
  })
})
