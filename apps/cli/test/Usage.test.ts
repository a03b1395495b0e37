/**
 * Help on every command, and usage errors: exit 1 with one line on stderr and nothing on stdout.
 */
import { assert, describe, it } from "@effect/vitest"
import { ringpool } from "./support/cli.ts"

describe("--help", () => {
  it("is on every command, with usage and examples, on stdout, exit 0", async () => {
    const commands = [[], ["demo"], ["allocate"], ["bulk"], ["suffix"], ["fake-server"]]
    const runs = await Promise.all(commands.map((command) => ringpool([...command, "--help"])))
    runs.forEach((run, i) => {
      const name = ["ringpool", ...commands[i]!].join(" ")
      assert.strictEqual(run.code, 0, name)
      assert.strictEqual(run.stderr, "", name)
      assert.include(run.stdout, "USAGE", name)
      assert.include(run.stdout, `${name}`, name)
      assert.include(run.stdout, "EXAMPLES", name)
    })
    assert.include(runs[0]!.stdout, "ringpool demo")
    assert.include(runs[3]!.stdout, "--max-batch-size")
    assert.include(runs[3]!.stdout, "--concurrency")
  })
})

describe("usage errors", () => {
  it("exit 1 with a one-line reason on stderr", async () => {
    const cases: Array<[Array<string>, Record<string, string>, string]> = [
      [["allocate", "m1=a"], {}, "ringpool allocate: Missing required flag: --pool (see ringpool allocate --help)"],
      [["allocate", "--pool", "1", "--key", "k"], {}, "Missing required argument: NAME=VALUE"],
      [["allocate", "--pool", "1", "--key", "k", "autos"], {}, "parameter 1 is not NAME=VALUE"],
      [["suffix", "--pool", "1", "--kee", "k", "m1=a"], {}, "Unrecognized flag: --kee"],
      [["bulk", "--output-format", "xml"], {}, "--output-format"],
      [["bulk", "--max-batch-size", "0"], { RINGPOOL_KEY: "k" }, "--max-batch-size must be a positive integer, got 0"],
      [["bulk"], { RINGPOOL_MAX_IN_FLIGHT: "many" }, "RINGPOOL_MAX_IN_FLIGHT is not valid"],
      [["bulk", "--base-url", "ftp://x"], {}, "--base-url / RINGPOOL_BASE_URL must be an http(s) URL"],
      [["allocate-all"], {}, 'Unknown subcommand "allocate-all"'],
      [["demo", "extra"], {}, "unexpected argument"]
    ]
    const runs = await Promise.all(cases.map(([args, env]) => ringpool(args, { env, input: "" })))
    runs.forEach((run, i) => {
      const [args, , reason] = cases[i]!
      const label = args.join(" ")
      assert.strictEqual(run.code, 1, `${label}: ${run.stderr}`)
      assert.strictEqual(run.stdout, "", label)
      assert.include(run.stderr, reason, label)
      assert.strictEqual(run.stderr.split("\n").length, 2, `${label} should say one line: ${run.stderr}`)
    })
  })
})
