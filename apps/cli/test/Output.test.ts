import { assert, describe, it } from "@effect/vitest"
import { RingPoolError } from "@ringpool/core"
import { parse } from "csv-parse/sync"
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

describe("output formats", () => {
  const write = (format: Writer.OutputFormat, chunks: ReadonlyArray<ReadonlyArray<ResultRow.ResultRow>>) => {
    const writer = Writer.make(format)
    return writer.start + chunks.map(writer.rows).join("") + writer.end()
  }

  it("ndjson: one object per line", () => {
    const text = write("ndjson", [[allocated, rejected], [invalid]])
    assert.deepStrictEqual(
      text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).line),
      [3, 4, 6]
    )
  })

  it("json: one array, valid with rows and without", () => {
    assert.deepStrictEqual(
      (JSON.parse(write("json", [[allocated], [rejected, invalid]])) as Array<{ line: number }>).map((row) => row.line),
      [3, 4, 6]
    )
    assert.deepStrictEqual(JSON.parse(write("json", [])), [])
  })

  it("csv: a header, every column on every line, overflow as true/false", () => {
    const records = parse(write("csv", [[allocated, rejected, failed, invalid]]), { columns: true }) as Array<
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
