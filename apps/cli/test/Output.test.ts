import { assert, describe, it } from "@effect/vitest"
import { RingPoolError } from "@ringpool/core"
import { parse } from "csv-parse/sync"
import type { OutputFormat } from "../src/commands/bulk.ts"
import * as ResultRow from "../src/output/ResultRow.ts"
import * as Writer from "../src/output/Writer.ts"

const allocated = ResultRow.fromOutcome(3, "A1", {
  ok: true,
  allocation: { requestId: "A1", promoNumber: "8883906665", promoNumberFormatted: "888-390-6665", overflow: true }
})
const rejected = ResultRow.fromOutcome(4, undefined, {
  ok: false,
  error: RingPoolError.make(
    new RingPoolError.Rejected({ errorClass: "InvalidKey", description: "API Key '<redacted>' is not valid" })
  )
})
const failed = ResultRow.fromError(
  5,
  "C1",
  RingPoolError.make(
    new RingPoolError.ServiceError({
      errorClass: "InternalServiceError",
      description: "refer to error handle 7",
      status: 500,
      errorHandle: 7
    })
  )
)
const invalid = ResultRow.fromInvalid({ line: 6, problem: "not valid JSON" })

describe("result rows", () => {
  it("use the API's field names, with the line, the outcome, and for failures the reason and error class", () => {
    assert.deepStrictEqual(JSON.parse(JSON.stringify(allocated)), {
      line: 3,
      outcome: "allocated",
      request_id: "A1",
      promo_number: "8883906665",
      promo_number_formatted: "888-390-6665",
      overflow: true
    })
    assert.deepStrictEqual(JSON.parse(JSON.stringify(rejected)), {
      line: 4,
      outcome: "rejected",
      reason: "Rejected",
      error_class: "InvalidKey",
      message: "API Key '<redacted>' is not valid"
    })
    assert.deepStrictEqual(
      { ...JSON.parse(JSON.stringify(failed)), message: "(checked below)" },
      {
        line: 5,
        outcome: "failed",
        request_id: "C1",
        reason: "ServiceError",
        error_class: "InternalServiceError",
        message: "(checked below)"
      }
    )
    assert.include(failed.message, "error handle 7")
    assert.deepStrictEqual(JSON.parse(JSON.stringify(invalid)), {
      line: 6,
      outcome: "failed",
      reason: "InvalidInput",
      message: "not valid JSON"
    })
  })
})

describe("a row's JSON", () => {
  it("is the text JSON.stringify gives, for any strings in any field", () => {
    const odd = [
      'quote " and \\ backslash',
      "new\nline",
      "tab\t",
      "é and 日本",
      "\ud800 lone",
      "<>&'",
      "",
      "\u007f\u0000"
    ]
    const rows = [allocated, rejected, failed, invalid, ResultRow.fromCheck(9, "R9", "1/allocate_number.json?x")]
    for (const text of odd) {
      rows.push(ResultRow.fromInvalid({ line: 1, problem: text, requestId: text }))
      rows.push({ ...allocated, tracking_url: text, promo_number: text, request_id: text })
      rows.push({ ...failed, error_class: text, reason: text, message: text })
    }
    for (const row of rows) assert.strictEqual(ResultRow.toJson(row), JSON.stringify(row))
  })
})

describe("output formats", () => {
  const write = async (format: OutputFormat, chunks: ReadonlyArray<ReadonlyArray<ResultRow.ResultRow>>) => {
    const writer = await Writer.make(format, ResultRow.columns)
    return writer.start + chunks.map(writer.rows).join("") + writer.end()
  }

  it("ndjson: one object per line", async () => {
    const text = await write("ndjson", [[allocated, rejected], [invalid]])
    assert.deepStrictEqual(
      text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).line),
      [3, 4, 6]
    )
  })

  it("json: one array, valid with rows and without, every row on a line of its own", async () => {
    const text = await write("json", [[allocated], [rejected, invalid]])
    assert.deepStrictEqual(
      (JSON.parse(text) as Array<{ line: number }>).map((row) => row.line),
      [3, 4, 6]
    )
    assert.deepStrictEqual(
      text.split("\n").map((line) => line.charAt(0)),
      ["[", "{", "{", "{", "]", ""]
    )
    assert.deepStrictEqual(JSON.parse(await write("json", [])), [])
  })

  it("json: a continued array (a resumed run) goes on after its rows with a comma, or without one when empty", async () => {
    const continued = await Writer.make("json", ResultRow.columns, 1)
    const text = `[\n${JSON.stringify(allocated)}${continued.rows([rejected])}${continued.end()}`
    assert.strictEqual((JSON.parse(text) as Array<unknown>).length, 2)
    const empty = await Writer.make("json", ResultRow.columns, 0)
    assert.strictEqual((JSON.parse(`[${empty.rows([rejected])}${empty.end()}`) as Array<unknown>).length, 1)
  })

  it("csv: a header, every column on every line, overflow as true/false", async () => {
    const records = parse(await write("csv", [[allocated, rejected, failed, invalid]]), { columns: true }) as Array<
      Record<string, string>
    >
    assert.deepStrictEqual(Object.keys(records[0]!), [...ResultRow.columns])
    assert.deepStrictEqual(
      records.map((record) => [record.line, record.outcome, record.overflow, record.error_class]),
      [
        ["3", "allocated", "true", ""],
        ["4", "rejected", "", "InvalidKey"],
        ["5", "failed", "", "InternalServiceError"],
        ["6", "failed", "", ""]
      ]
    )
  })
})

describe("CSV output and spreadsheets (CSV injection)", () => {
  const cellsOf = async (requestId: string) => {
    const writer = await Writer.make("csv", ResultRow.columns)
    const row = ResultRow.fromInvalid({ line: 7, problem: "not valid JSON", requestId })
    const line = writer.rows([row])
    const record = (parse(line) as Array<Array<string>>)[0]!
    return { line, requestId: record[ResultRow.columns.indexOf("request_id")]! }
  }

  it("writes a cell that a spreadsheet would run as a formula as quoted text, with a leading '", async () => {
    for (const formula of [
      '=HYPERLINK("http://evil.test","click")',
      "+1+1",
      "-2+3",
      "@SUM(A1)",
      "\tx",
      "\rx",
      "\uFF1D1+1"
    ]) {
      const { line, requestId } = await cellsOf(formula)
      assert.strictEqual(requestId, `'${formula}`, JSON.stringify(formula))
      assert.include(line, `"'${formula.charAt(0)}`, JSON.stringify(formula))
    }
  })

  it("leaves other cells, and the line numbers, as they are", async () => {
    assert.strictEqual((await cellsOf("visit-42")).requestId, "visit-42")
    assert.strictEqual((await cellsOf("a=b")).requestId, "a=b")
    const writer = await Writer.make("csv", ResultRow.columns)
    assert.match(writer.rows([allocated]), /^3,allocated,A1,8883906665,888-390-6665,,true,,,\n$/)
  })
})
