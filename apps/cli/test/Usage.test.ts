/**
 * Help on every command, and usage errors: exit 1 with one line on stderr and nothing on stdout.
 */
import { assert, describe, it } from "@effect/vitest"
import { ringpool } from "./support/cli.ts"

describe("--help", () => {
  it("is on every command, with usage and examples, on stdout, exit 0", async () => {
    const commands = [[], ["demo"], ["allocate"], ["bulk"], ["suffix"], ["fake-server"], ["proxy"]]
    const runs = await Promise.all(commands.map((command) => ringpool([...command, "--help"])))
    runs.forEach((run, i) => {
      const name = ["ringpool", ...commands[i]!].join(" ")
      assert.strictEqual(run.code, 0, name)
      assert.strictEqual(run.stderr, "", name)
      assert.include(run.stdout, "USAGE", name)
      assert.include(run.stdout, `${name}`, name)
      // Every section, EXAMPLES included, follows a blank line.
      assert.include(run.stdout, "\n\nEXAMPLES\n", name)
      // The examples paste into a shell: each line is blank, a comment, or a command (a wrapped comment too).
      const examples = run.stdout
        .slice(run.stdout.indexOf("\nEXAMPLES\n") + 10)
        .trimEnd()
        .split("\n")
      for (const line of examples) assert.match(line, /^(| {2}# .*| {2}[^\s#].*)$/, `${name}: ${line}`)
    })
    assert.include(runs[0]!.stdout, "ringpool demo")
    assert.include(runs[3]!.stdout, "--max-batch-size")
    assert.include(runs[3]!.stdout, "--concurrency")
    assert.include(runs[3]!.stdout, "--resume")
  })

  it("marks required flags, and shows them in the usage line", async () => {
    const run = await ringpool(["allocate", "--help"])
    assert.match(run.stdout, /--pool ID\s+\(required\) Id of the ring pool/)
    assert.include(run.stdout, "ringpool allocate --pool ID [flags] NAME=VALUE...")
    assert.notMatch(run.stdout, /--key KEY\s+\(required\)/)
  })

  it("is also `ringpool help` and `ringpool help COMMAND`", async () => {
    const [all, bulk, unknown] = await Promise.all([
      ringpool(["help"]),
      ringpool(["help", "bulk"]),
      ringpool(["help", "allcoate"])
    ])
    assert.strictEqual(all.code, 0)
    assert.include(all.stdout, "COMMANDS")
    assert.strictEqual(bulk.code, 0)
    assert.include(bulk.stdout, "ringpool bulk [flags] [FILE]")
    assert.strictEqual(unknown.code, 1)
    assert.include(unknown.stderr, "Unknown command 'allcoate'. Did you mean 'allocate'?")
  })

  it("wins over anything else wrong on the line", async () => {
    const run = await ringpool(["bulk", "--bogus", "--help"])
    assert.strictEqual(run.code, 0)
    assert.include(run.stdout, "ringpool bulk")
  })

  it("--version prints the version", async () => {
    const run = await ringpool(["--version"])
    assert.strictEqual(run.code, 0)
    assert.match(run.stdout, /^ringpool \d+\.\d+\.\d+\n$/)
  })
})

describe("usage errors", () => {
  it("exit 1 with a one-line reason on stderr that says what to write", async () => {
    const cases: Array<[Array<string>, Record<string, string>, string]> = [
      [["allocate", "m1=a"], {}, "ringpool allocate: --pool ID is required (Id of the ring pool"],
      [
        ["allocate", "--pool", "1", "--key", "k"],
        {},
        "missing NAME=VALUE: RingPool parameters, e.g. m1=autos (at least one"
      ],
      [["--verison"], {}, "ringpool: unknown flag --verison. Did you mean --version?"],
      [["allocate", "--pool", "1", "--key", "k", "autos"], {}, "parameter 1 is not NAME=VALUE"],
      [["suffix", "--pool", "1", "--kee", "k", "m1=a"], {}, "unknown flag --kee. Did you mean --key?"],
      [["bulk", "--output-format", "xml"], {}, "--output-format must be one of ndjson, csv, json; got 'xml'"],
      [["bulk", "--max-batch-size", "many"], {}, "--max-batch-size must be a whole number, got 'many'"],
      [
        ["bulk", "--max-batch-size", "0"],
        {},
        "ringpool bulk: --max-batch-size must be a whole number from 1 to 10000, got '0'"
      ],
      [
        ["bulk", "--concurrency=-2"],
        {},
        "ringpool bulk: --concurrency must be a whole number from 1 to 1000, got '-2'"
      ],
      [
        ["bulk", "--concurrency", "9007199254740993"],
        {},
        "--concurrency must be a whole number from 1 to 1000, got '9007"
      ],
      [["proxy", "--port", "70000"], {}, "ringpool proxy: --port must be a whole number from 0 to 65535, got '70000'"],
      [
        ["proxy", "--timeout-ms", "0"],
        {},
        "ringpool proxy: --timeout-ms must be a whole number from 1 to 2147483647, got '0' (see ringpool proxy --help)"
      ],
      [["fake-server", "--port", "-1"], {}, "ringpool fake-server: --port must be a whole number from 0 to 65535"],
      [["bulk", "--pool"], {}, "unknown flag --pool"],
      [["bulk", "--resume"], {}, "--resume continues the run of an --output FILE"],
      [["bulk", "--output", "x.ndjson", "--resume", "--dry-run", "rows.ndjson"], {}, "--dry-run sends nothing"],
      [["bulk", "--output", "x.ndjson", "--resume"], {}, "--resume needs the input as a FILE"],
      [["bulk", "--dry-run", "--dry-run"], {}, "--dry-run is given twice"],
      [
        ["bulk", "--dry-run=false", "rows.ndjson"],
        {},
        "--dry-run takes no value (write --dry-run alone, or leave it out)"
      ],
      [["bulk", "--help=foo"], {}, "ringpool bulk: --help takes no value (write --help alone)"],
      // A flag where a value belongs is a value left out: `--output --dry-run` must not run for real.
      [
        ["bulk", "rows.ndjson", "--output", "--dry-run"],
        {},
        "ringpool bulk: --output FILE: the value is missing (the flag --dry-run follows); a value that begins with -- is written --output=VALUE"
      ],
      [
        ["bulk", "rows.ndjson", "--key", "--dry-run"],
        {},
        "--key KEY: the value is missing (the flag --dry-run follows)"
      ],
      [["bulk", "--key", "--SECRET-KEY-12345"], {}, "the value is missing (a word beginning with -- follows)"],
      // A key typed onto its flag is not repeated.
      [["bulk", "--key:SECRET-KEY-12345"], {}, "unknown flag (a word of 22 characters, not shown)"],
      [["bulk", "a.ndjson", "b.ndjson"], {}, "unexpected argument 'b.ndjson': ringpool bulk takes one FILE"],
      [["bulk", "--output", "/no-such-folder/out.ndjson", "a.ndjson"], {}, "cannot write /no-such-folder/out.ndjson"],
      [
        ["bulk"],
        { RINGPOOL_MAX_IN_FLIGHT: "many" },
        "RINGPOOL_MAX_IN_FLIGHT must be a positive whole number (bulk calls at once, such as 8), got 'many'"
      ],
      [
        ["bulk"],
        { RINGPOOL_MAX_BATCH_SIZE: "abc" },
        "RINGPOOL_MAX_BATCH_SIZE must be a positive whole number (rows per bulk call, such as 100), got 'abc'"
      ],
      [["bulk", "--base-url", "ftp://x"], {}, "--base-url / RINGPOOL_BASE_URL must be an http(s) URL"],
      [
        ["allocate", "--pool", "1", "--key", "key-0123456789", "m1=a"],
        { RINGPOOL_TIMEOUT_MS: "3000000000" },
        "RINGPOOL_TIMEOUT_MS must be an integer from 1 to 2147483647, got 3000000000"
      ],
      [["allocate-all"], {}, "Unknown command 'allocate-all'."],
      [
        ["allcoate", "--pool", "1", "m1=a"],
        {},
        "ringpool: Unknown command 'allcoate'. Did you mean 'allocate'? (see ringpool --help)"
      ],
      [["--pool", "1"], {}, "unknown flag --pool: flags come after the command"],
      [["demo", "extra"], {}, "ringpool demo: unexpected argument 'extra': ringpool demo takes no arguments"]
    ]
    const runs = await Promise.all(cases.map(([args, env]) => ringpool(args, { env, input: "" })))
    runs.forEach((run, i) => {
      const [args, , reason] = cases[i]!
      const label = args.join(" ")
      assert.strictEqual(run.code, 1, `${label}: ${run.stderr}`)
      assert.strictEqual(run.stdout, "", label)
      assert.include(run.stderr, reason, label)
      assert.notInclude(run.stderr, "SECRET-KEY", label)
      assert.strictEqual(run.stderr.split("\n").length, 2, `${label} should say one line: ${run.stderr}`)
    })
  })

  it("never show a key given by flag or environment, even in the argument they quote", async () => {
    const key = "FLAG-KEY-0123456789"
    const runs = await Promise.all([
      ringpool(["demo", key], { env: { RINGPOOL_KEY: key } }),
      ringpool(["demo", `--key=${key}`]),
      ringpool(["bulk", "--key", key, "--concurrency", "x"])
    ])
    for (const run of runs) {
      assert.strictEqual(run.code, 1, run.stderr)
      assert.notInclude(run.stderr, "FLAG-K")
      assert.notInclude(run.stderr, "0123456789")
    }
  })
})
