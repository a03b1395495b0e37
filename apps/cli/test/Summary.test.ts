import { assert, describe, it } from "@effect/vitest"
import * as Progress from "../src/bulk/Progress.ts"
import * as Tally from "../src/bulk/Tally.ts"
import { CliFailure } from "../src/CliFailure.ts"
import { formatOf } from "../src/input/InputSource.ts"
import type * as ResultRow from "../src/output/ResultRow.ts"
import * as Params from "../src/Params.ts"
import * as Secrets from "../src/Secrets.ts"

const base = {
  request_id: undefined,
  promo_number: undefined,
  promo_number_formatted: undefined,
  tracking_url: undefined,
  overflow: undefined,
  reason: undefined,
  error_class: undefined,
  message: undefined,
  api_suffix: undefined
}
const row = (fields: Partial<ResultRow.ResultRow> & Pick<ResultRow.ResultRow, "outcome">): ResultRow.ResultRow => ({
  ...base,
  line: 1,
  ...fields
})

describe("the bulk summary", () => {
  it("counts allocated (with overflow), rejected by error class and failed by reason", () => {
    const tally = Tally.make()
    for (const result of [
      row({ outcome: "allocated", overflow: false }),
      row({ outcome: "allocated", overflow: true }),
      row({ outcome: "rejected", reason: "Rejected", error_class: "InvalidKey" }),
      row({ outcome: "rejected", reason: "Rejected", error_class: "InvalidKey" }),
      row({ outcome: "failed", reason: "Timeout" }),
      row({ outcome: "failed", reason: "InvalidInput" })
    ])
      Tally.add(tally, result)
    assert.strictEqual(Tally.unsuccessful(tally), 4)
    const text = Tally.render(tally, {
      rows: 6,
      elapsedMs: 2000,
      bulkCalls: 2,
      processingTimeMs: 12.345,
      dryRun: false
    })
    assert.deepStrictEqual(text.split("\n"), [
      "ringpool bulk: 6 rows in 2.0 s (3 rows/s)",
      "  allocated  2 (1 overflow)",
      "  rejected   2 (InvalidKey 2)",
      "  failed     2 (InvalidInput 1, Timeout 1)",
      "  server     12.3 ms processing time in 2 bulk calls"
    ])
  })

  it("says 1 row and 1 bulk call", () => {
    const tally = Tally.make()
    Tally.add(tally, row({ outcome: "allocated", overflow: false }))
    const text = Tally.render(tally, { rows: 1, elapsedMs: 100, bulkCalls: 1, processingTimeMs: 1, dryRun: false })
    assert.include(text, "ringpool bulk: 1 row in 0.1 s")
    assert.include(text, "in 1 bulk call")
    assert.notInclude(text, "1 rows")
    assert.notInclude(text, "1 bulk calls")
  })

  it("of a resumed run counts every row of FILE, and says how many rows were sent again", () => {
    const earlier = Tally.make()
    for (let i = 0; i < 5; i++) Tally.add(earlier, row({ outcome: "allocated", overflow: false }))
    const tally = Tally.fromRecord(JSON.parse(JSON.stringify(Tally.toRecord(earlier))))!
    Tally.add(tally, row({ outcome: "failed", reason: "Timeout" }))
    const text = Tally.render(tally, {
      rows: 1,
      elapsedMs: 1000,
      bulkCalls: 1,
      processingTimeMs: 1,
      dryRun: false,
      resumed: { rowsBefore: 5, output: "out.ndjson", resent: 3 }
    })
    const lines = text.split("\n")
    assert.strictEqual(
      lines[0],
      "ringpool bulk: 1 row in 1.0 s (1 rows/s), after the 5 results out.ndjson already held (6 in all)"
    )
    assert.include(lines[1], "resent     3 rows")
    assert.include(text, "allocated  5")
    assert.include(text, "failed     1 (Timeout 1)")
  })

  it("of a dry run counts valid and invalid rows, and says nothing was sent", () => {
    const tally = Tally.make()
    Tally.add(tally, row({ outcome: "valid" }))
    Tally.add(tally, row({ outcome: "failed", reason: "InvalidInput" }))
    const text = Tally.render(tally, { rows: 2, elapsedMs: 10, bulkCalls: 0, processingTimeMs: 0, dryRun: true })
    assert.deepStrictEqual(text.split("\n").slice(1), [
      "  valid      1",
      "  invalid    1 (InvalidInput 1)",
      "  nothing was sent"
    ])
  })

  it("keeps at most 32 error classes by name, the rest as other (a hostile service cannot grow it)", () => {
    const tally = Tally.make()
    for (let i = 0; i < 100; i++) Tally.add(tally, row({ outcome: "rejected", error_class: `Class${i}` }))
    assert.strictEqual(tally.rejected.size, 33)
    assert.strictEqual(tally.rejected.get("other"), 68)
    Tally.add(tally, row({ outcome: "rejected", error_class: "__proto__" }))
    assert.strictEqual(Tally.unsuccessful(tally), 101)
  })
})

describe("the progress line", () => {
  const terminal = (isTTY: boolean) => {
    const written: Array<string> = []
    const stream = { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream
    return { stream, written }
  }

  it("is drawn on a terminal at most every 200 ms, and cleared before the summary", () => {
    const { stream, written } = terminal(true)
    let now = 1_000
    const progress = Progress.make(stream, () => now)
    const tally = Tally.make()
    Tally.add(tally, row({ outcome: "allocated", overflow: false }))
    progress.update(tally)
    now += 50
    progress.update(tally)
    now += 200
    Tally.add(tally, row({ outcome: "failed", reason: "Timeout" }))
    progress.update(tally)
    progress.clear()
    assert.deepStrictEqual(written, [
      "\r\x1b[2Kringpool bulk: 1 row, 1 allocated",
      "\r\x1b[2Kringpool bulk: 2 rows, 1 allocated, 1 not allocated",
      "\r\x1b[2K"
    ])
  })

  it("is never drawn when stderr is not a terminal", () => {
    const { stream, written } = terminal(false)
    const progress = Progress.make(stream, () => 1_000)
    progress.update(Tally.make())
    progress.clear()
    assert.deepStrictEqual(written, [])
  })
})

describe("NAME=VALUE parameters", () => {
  it("keep their order, split at the first '=', and allow an empty value", () => {
    assert.deepStrictEqual(Params.parse(["m1=autos", "q=a=b", "m2=", "SMS Callback=true"]), [
      ["m1", "autos"],
      ["q", "a=b"],
      ["m2", ""],
      ["SMS Callback", "true"]
    ])
  })

  it("refuse an argument without '=' or a name, and ring_pool_key, without quoting them", () => {
    const failure = (args: Array<string>) => {
      try {
        Params.parse(args)
      } catch (error) {
        assert.instanceOf(error, CliFailure)
        return (error as CliFailure).message
      }
      return assert.fail("expected a usage failure")
    }
    assert.strictEqual(
      failure(["m1=a", "KEY-DO-NOT-PRINT-1234"]),
      "parameter 2 is not NAME=VALUE (write m1=autos, or m1= for an empty value)"
    )
    assert.strictEqual(failure(["=x"]), "parameter 1 has no name before '='")
    assert.notInclude(failure(["ring_pool_key=KEY-DO-NOT-PRINT-1234"]), "KEY-DO-NOT-PRINT")
  })
})

describe("masking", () => {
  it("hides the keys given by --key or RINGPOOL_KEY, and any suffix's ring_pool_key", () => {
    const argv = ["node", "bin.js", "allocate", "--key", "FLAG-KEY-1", "--key=FLAG-KEY-2"]
    const env = { RINGPOOL_KEY: "ENV-KEY-3" }
    assert.strictEqual(
      Secrets.mask("FLAG-KEY-1 FLAG-KEY-2 ENV-KEY-3 1/allocate_number.json?ring_pool_key=OTHER&m1=a", argv, env),
      "<redacted> <redacted> <redacted> 1/allocate_number.json?ring_pool_key=<redacted>&m1=a"
    )
  })

  it("hides them percent-encoded, with + for spaces, and any 6 characters of them", () => {
    const env = { RINGPOOL_KEY: "SECRET key/42" }
    const masked = Secrets.mask("a SECRET%20key%2F42 b SECRET+key%2f42 c ...ET key/ d", [], env)
    assert.notInclude(masked, "SECRET")
    assert.notInclude(masked, "ET key")
    assert.include(masked, "<redacted>")
  })
})

describe("input format", () => {
  it("is the flag's, else the file extension's, else NDJSON", () => {
    assert.strictEqual(formatOf("rows.CSV", undefined), "csv")
    assert.strictEqual(formatOf("body.json", undefined), "json")
    assert.strictEqual(formatOf("rows.jsonl", undefined), "ndjson")
    assert.strictEqual(formatOf("-", undefined), "ndjson")
    assert.strictEqual(formatOf("rows.json", "ndjson"), "ndjson")
  })
})
