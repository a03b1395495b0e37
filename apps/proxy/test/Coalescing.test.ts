/**
 * Concurrent callers become few bulk calls upstream, and each caller gets the number the service gave its own
 * parameters: through the single API and through bulk.json alike.
 */
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { concurrently } from "./support/http.ts"
import { key, type Setup, start } from "./support/proxy.ts"

let setup: Setup
beforeAll(async () => {
  setup = await start()
})
afterAll(() => setup.close())
beforeEach(() => setup.fake.reset())

const bulkCalls = () => setup.fake.calls().filter((call) => call.kind === "bulk")

describe("the single API, coalesced", () => {
  it("500 concurrent requests make a few dozen bulk calls, and each answer is its own row's number", async () => {
    const visits = Array.from({ length: 500 }, (_, i) => `v${i}`)
    const replies = await concurrently(
      setup.proxy.url,
      visits.map((visit) => ({
        path: `/api/2014-07-28/ring_pools/1/allocate_number.json?ring_pool_key=${key}&m1=autos&visit=${visit}`
      }))
    )
    const calls = bulkCalls()
    assert.isAtMost(calls.length, 36, `${calls.length} bulk calls for 500 requests`)
    assert.strictEqual(
      calls.reduce((rows, call) => rows + call.rows.length, 0),
      500
    )
    const numberOf = new Map(setup.fake.allocations().map((a) => [a.params.visit, a.promoNumber]))
    assert.strictEqual(numberOf.size, 500)
    replies.forEach((reply, i) => {
      assert.strictEqual(reply.status, 200, reply.body)
      const answer = JSON.parse(reply.body) as { promo_number: string }
      assert.strictEqual(answer.promo_number, numberOf.get(visits[i]!), `request ${visits[i]}`)
    })
  })
})

describe("bulk.json, coalesced across callers", () => {
  it("50 callers each get exactly their own rows, in their order, with their own request_ids", async () => {
    // Every caller uses the same request_ids ("r0", "r1", ...) and some rows have none: ids need not be unique,
    // and they must still come back to the right caller and the right row.
    const bodies = Array.from({ length: 50 }, (_, caller) => ({
      requests: Array.from({ length: 1 + (caller % 7) }, (_, row) => ({
        api_suffix: `1/allocate_number.json?ring_pool_key=${key}&caller=${caller}&row=${row}`,
        ...(row % 3 === 2 ? {} : { request_id: `r${row}` })
      }))
    }))
    const replies = await concurrently(
      setup.proxy.url,
      bodies.map((body) => ({ path: "/api/2013-07-01/bulk.json", body }))
    )
    const sent = bodies.reduce((rows, body) => rows + body.requests.length, 0)
    assert.isAtMost(bulkCalls().length, 10, "callers' rows were not coalesced")
    assert.strictEqual(
      bulkCalls().reduce((rows, call) => rows + call.rows.length, 0),
      sent
    )
    const numberOf = new Map(setup.fake.allocations().map((a) => [`${a.params.caller}/${a.params.row}`, a.promoNumber]))
    replies.forEach((reply, caller) => {
      assert.strictEqual(reply.status, 200, reply.body)
      const { responses } = JSON.parse(reply.body) as { responses: Array<Record<string, unknown>> }
      const rows = bodies[caller]!.requests
      assert.strictEqual(responses.length, rows.length)
      responses.forEach((response, row) => {
        assert.strictEqual(response.request_id, rows[row]!.request_id, `caller ${caller} row ${row}`)
        assert.strictEqual(response.promo_number, numberOf.get(`${caller}/${row}`), `caller ${caller} row ${row}`)
        if (rows[row]!.request_id === undefined) assert.notProperty(response, "request_id")
      })
    })
  })
})
