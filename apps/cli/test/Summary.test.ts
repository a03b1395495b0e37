import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { CliError } from "effect/cli"
import { chunksOf } from "../src/bulk/BulkRun.ts"
import * as Progress from "../src/bulk/Progress.ts"
import * as Tally from "../src/bulk/Tally.ts"
import { formatOf } from "../src/input/InputSource.ts"
import type * as ResultRow from "../src/output/ResultRow.ts"
import * as Params from "../src/Params.ts"
import * as Secrets from "../src/Secrets.ts"
import { usageLine } from "../src/UsagePresenter.ts"

const base = {
  request_id: undefined,
  promo_number: undefined,
  promo_number_formatted: undefined,
  tracking_url: undefined,
  overflow: undefined,
  reason: undefined,
  error_class: undefined,
  message: undefined
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
    const text = Tally.render(
      tally,
      { bulkCalls: 2, rows: 4, allocated: 1, overflow: 1, rejected: {}, failed: {}, processingTimeMs: 12.345 },
      2000
    )
    assert.deepStrictEqual(text.split("\n"), [
      "ringpool bulk: 6 rows in 2.0 s (3 rows/s)",
      "  allocated  2 (1 overflow)",
      "  rejected   2 (InvalidKey 2)",
      "  failed     2 (InvalidInput 1, Timeout 1)",
      "  server     12.3 ms processing time in 2 bulk calls"
    ])
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
      "\r\x1b[2Kringpool bulk: 1 rows, 1 allocated",
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

describe("chunks of a read", () => {
  it("are at most the batch size, in order, and the read itself when it fits", () => {
    const read = Array.from({ length: 23 }, (_, i) => i)
    const chunks = chunksOf(read, 10)
    assert.deepStrictEqual(
      chunks.map((chunk) => chunk.length),
      [10, 10, 3]
    )
    assert.deepStrictEqual(chunks.flat(), read)
    assert.strictEqual(chunksOf(read, 50)[0], read)
  })
})

describe("NAME=VALUE parameters", () => {
  it("keep their order, split at the first '=', and allow an empty value", () => {
    assert.deepStrictEqual(
      Params.parse(["m1=autos", "q=a=b", "m2=", "SMS Callback=true"]),
      Result.succeed([
        ["m1", "autos"],
        ["q", "a=b"],
        ["m2", ""],
        ["SMS Callback", "true"]
      ])
    )
  })

  it("refuse an argument without '=' or a name, and ring_pool_key, without quoting them", () => {
    const failure = (args: Array<string>) => {
      const result = Params.parse(args)
      assert.isTrue(Result.isFailure(result))
      return Result.isFailure(result) ? result.failure : ""
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
})

describe("usage errors", () => {
  it("are one line that names the command and where to read more, without quoting stray arguments", () => {
    const line = usageLine(
      ["ringpool", "bulk"],
      [
        new CliError.UnexpectedArgument({ arguments: ["KEY-DO-NOT-PRINT-1234"] }),
        new CliError.MissingOption({ option: "pool" })
      ]
    )
    assert.strictEqual(
      line,
      "ringpool bulk: unexpected argument; Missing required flag: --pool (see ringpool bulk --help)"
    )
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
