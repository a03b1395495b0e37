/**
 * bulk.json through the proxy: the service's own request and answer shapes, refusals row by row, whole-call
 * errors in the service's `{"errors":...}` form, and a bounded body.
 */
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { get, postJson } from "./support/http.ts"
import { key, type Setup, start } from "./support/proxy.ts"

let setup: Setup
beforeAll(async () => {
  setup = await start({ maxBodyBytes: 4_096, timeoutMs: 2_000 })
})
afterAll(() => setup.close())
beforeEach(() => setup.fake.reset())

const suffix = (query: string, pool = "1") => `${pool}/allocate_number.json?ring_pool_key=${key}&${query}`

describe("rows", () => {
  it("answers in the documented shape and field order, overflow flagged as documented", async () => {
    const reply = await postJson(setup.bulkUrl, {
      requests: [
        { api_suffix: suffix("m1=a", "small"), request_id: "193C5F" },
        { api_suffix: suffix("m1=b", "small"), request_id: "58CD4F" },
        { api_suffix: suffix("m1=c", "small"), request_id: "E3901B" }
      ]
    })
    assert.strictEqual(reply.status, 200)
    assert.strictEqual(reply.headers["content-type"], "application/json; charset=utf-8")
    const { responses } = JSON.parse(reply.body) as { responses: Array<Record<string, unknown>> }
    assert.deepStrictEqual(
      responses.map((row) => Object.keys(row)),
      [
        ["request_id", "promo_number_formatted", "promo_number", "tracking_url"],
        ["request_id", "promo_number_formatted", "promo_number", "tracking_url"],
        ["request_id", "promo_number_formatted", "promo_number", "tracking_url", "overflow"]
      ]
    )
    assert.deepStrictEqual(
      responses.map((row) => [row.request_id, row.promo_number, row.overflow]),
      [
        ["193C5F", "8005550101", undefined],
        ["58CD4F", "8005550102", undefined],
        ["E3901B", "8005550199", true]
      ]
    )
  })

  it("refuses a bad row alone, with an error row in its place; its neighbours still run", async () => {
    const reply = await postJson(setup.bulkUrl, {
      request: [
        { api_suffix: suffix("m1=ok1"), request_id: "ok1" },
        { request_id: "no-suffix" },
        { api_suffix: "1/numbers.json?x=1", request_id: "bad-suffix" },
        { api_suffix: "1/allocate_number.json?m1=nokey", request_id: "no-key" },
        { api_suffix: `1/allocate_number.json?ring_pool_key=${key}`, request_id: "no-params" },
        { api_suffix: "1/allocate_number.json?ring_pool_key=Wq12x3Lm9&m1=x", request_id: "wrong-key" },
        { api_suffix: suffix("m1=ok2") }
      ]
    })
    assert.strictEqual(reply.status, 200)
    const { responses } = JSON.parse(reply.body) as { responses: Array<Record<string, string>> }
    assert.deepStrictEqual(
      responses.map((row) => [row.request_id, row.error_class ?? "allocated"]),
      [
        ["ok1", "allocated"],
        ["no-suffix", "InvalidApiSuffix"],
        ["bad-suffix", "InvalidApiSuffix"],
        ["no-key", "MissingRingPoolKey"],
        ["no-params", "MissingParameters"],
        ["wrong-key", "InvalidKey"],
        [undefined, "allocated"]
      ]
    )
    assert.notInclude(reply.body, "Wq12x3Lm9")
    assert.deepStrictEqual(
      setup.fake.allocations().map((a) => a.params.m1),
      ["ok1", "ok2"]
    )
  })
})

describe("whole-call errors", () => {
  it("a body that is not the documented shape: 400 in the service's error form", async () => {
    const cases: Array<[unknown, string]> = [
      ["{not json", "InvalidJson"],
      [{ rows: [] }, "InvalidRequest"],
      [{ requests: [] }, "EmptyRequest"]
    ]
    for (const [body, errorClass] of cases) {
      const reply = await get(setup.bulkUrl, {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body)
      })
      assert.strictEqual(reply.status, 400)
      const parsed = JSON.parse(reply.body) as { errors: { class: string; invalid_data: string } }
      assert.deepStrictEqual(Object.keys(parsed.errors), ["class", "invalid_data"])
      assert.strictEqual(parsed.errors.class, errorClass)
    }
    assert.strictEqual(setup.fake.calls().length, 0)
  })

  it("a body over the limit: 413, and the connection is closed rather than left behind an unread upload", async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ api_suffix: suffix(`m1=${i}`) }))
    const reply = await postJson(setup.bulkUrl, { requests: rows })
    assert.strictEqual(reply.status, 413)
    assert.strictEqual(reply.headers.connection, "close")
    assert.strictEqual((JSON.parse(reply.body) as { errors: { class: string } }).errors.class, "RequestTooLarge")
    assert.strictEqual(setup.fake.calls().length, 0)
  })

  it("every row failed upstream: the failure as a whole-call error with its 5xx status", async () => {
    setup.fake.inject({ fault: "status", status: 500, times: "always" })
    const reply = await postJson(setup.bulkUrl, {
      requests: [{ api_suffix: suffix("m1=a"), request_id: "a" }, { api_suffix: suffix("m1=b") }]
    })
    assert.strictEqual(reply.status, 502)
    const { errors } = JSON.parse(reply.body) as { errors: { class: string; invalid_data: string } }
    assert.strictEqual(errors.class, "InternalServiceError")
    assert.match(errors.invalid_data, /^refer to error handle \d+$/)
  })

  it("a wrong method: 405 with Allow", async () => {
    const reply = await get(setup.bulkUrl)
    assert.strictEqual(reply.status, 405)
    assert.strictEqual(reply.headers.allow, "POST")
  })
})
