// The one wire model: the hand-written reader and writer used per bulk call are held to the `BulkProtocol` schemas and
// to the seed's examples, so that speed never costs faithfulness.
import { assert, describe, it } from "@effect/vitest"
import { Exit, Schema } from "effect"
import * as fc from "fast-check"
import { BulkProtocol } from "../src/index.ts"
import { vectors } from "./support/vectors.ts"

const decodeWithSchema = Schema.decodeUnknownExit(BulkProtocol.ResponseBody)

// Rows near the edge of the schema: right and wrong types for every field, fields present and absent, extras.
const field = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined))
const responseRow = fc.oneof(
  fc.record(
    { request_id: field, promo_number: field, promo_number_formatted: field, tracking_url: field, overflow: field },
    { requiredKeys: [] }
  ),
  fc.record({ request_id: field, error_class: field, message: field, extra: field }, { requiredKeys: [] }),
  fc.record({ request_id: fc.string(), promo_number: fc.string(), promo_number_formatted: fc.string() }),
  fc.record({ error_class: fc.string(), message: fc.string() }),
  field,
  fc.array(fc.string(), { maxLength: 2 })
)
const body = fc.oneof(
  fc.record({ responses: fc.array(responseRow, { maxLength: 5 }) }),
  fc.record({ responses: field }),
  field
)

describe("BulkProtocol.decodeResponseBody", () => {
  it("accepts exactly what the ResponseBody schema accepts", () => {
    fc.assert(
      fc.property(body, (json) => {
        const byHand = BulkProtocol.decodeResponseBody(json)
        const bySchema = decodeWithSchema(json)
        assert.strictEqual(typeof byHand !== "string", Exit.isSuccess(bySchema), JSON.stringify(json))
      }),
      { numRuns: 3_000 }
    )
  })

  it("reads the seed's answers", () => {
    for (const answer of [vectors.response, vectors.responseWithRowError]) {
      assert.notStrictEqual(typeof BulkProtocol.decodeResponseBody(answer), "string")
    }
  })
})

describe("BulkProtocol.requestBody", () => {
  it("writes the seed's request body", () => {
    const text = BulkProtocol.requestBody(vectors.request.requests)
    assert.deepStrictEqual(JSON.parse(text), vectors.request)
    assert.strictEqual(text, JSON.stringify(vectors.request))
  })

  it("is JSON that reads back to the rows, for any suffix and id", () => {
    const row = fc.record({ api_suffix: fc.string(), request_id: fc.string() }, { requiredKeys: ["api_suffix"] })
    fc.assert(
      fc.property(fc.array(row, { maxLength: 5 }), (rows) => {
        assert.deepStrictEqual(JSON.parse(BulkProtocol.requestBody(rows)), { requests: rows })
      })
    )
  })
})

describe("BulkProtocol.matchBulkPath", () => {
  it("gives the date segment of a bulk path, and nothing for any other path", () => {
    assert.strictEqual(BulkProtocol.matchBulkPath(BulkProtocol.bulkPath("2013-07-01")), "2013-07-01")
    assert.strictEqual(BulkProtocol.matchBulkPath("/api/2021-02-11/bulk.json"), "2021-02-11")
    for (const path of ["/api/2013-07-01/bulk.xml", "/api//bulk.json", "/bulk.json", "/api/a/b/bulk.json"]) {
      assert.isUndefined(BulkProtocol.matchBulkPath(path))
    }
  })
})
