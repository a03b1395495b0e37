/**
 * `/metrics`: Prometheus text with rows by outcome, bulk calls, rows per call, upstream latency and the service's
 * processing time (counted by the core), and requests by route and status (counted by the proxy); never a key,
 * a pool id or a parameter value.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { concurrently, get } from "./support/http.ts"
import { key, type Setup, start } from "./support/proxy.ts"
import { assertNoPieceOf } from "./support/secrets.ts"

let setup: Setup
beforeAll(async () => {
  setup = await start({ timeoutMs: 5_000 })
})
afterAll(() => setup.close())

const secretValue = "Vd1e0c93xq"

/** The value of one series (`name{labels}`), or undefined when absent. */
const series = (text: string, name: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1))
}

describe("/metrics", () => {
  it("counts rows by outcome, bulk calls, latency and requests, with no key or value in it", async () => {
    const single = (query: string, pool = "1") =>
      `/api/2014-07-28/ring_pools/${pool}/allocate_number.json?ring_pool_key=${key}&${query}`
    await concurrently(
      setup.proxy.url,
      Array.from({ length: 20 }, (_, i) => ({ path: single(`m1=${secretValue}&i=${i}`) }))
    )
    for (const visit of ["a", "b", "c"]) await get(`${setup.proxy.url}${single(`v=${visit}`, "small")}`)
    await get(`${setup.proxy.url}/api/2014-07-28/ring_pools/1/allocate_number.xml?ring_pool_key=Wk5a5a5aQz&m1=x`)
    setup.fake.inject({ fault: "malformed" })
    await get(`${setup.proxy.url}${single("m1=broken")}`)

    const reply = await get(`${setup.proxy.url}/metrics`)
    assert.strictEqual(reply.status, 200)
    assert.strictEqual(reply.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
    const text = reply.body
    const bulkCalls = setup.fake.calls().filter((call) => call.kind === "bulk").length

    assert.strictEqual(series(text, 'ringpool_rows_total{outcome="allocated"}'), 22)
    assert.strictEqual(series(text, 'ringpool_rows_total{outcome="overflow"}'), 1)
    assert.strictEqual(series(text, 'ringpool_rows_total{outcome="rejected",error_class="InvalidKey"}'), 1)
    assert.strictEqual(series(text, 'ringpool_rows_total{outcome="failed",reason="InvalidResponse"}'), 1)
    assert.strictEqual(series(text, "ringpool_batch_size_count"), bulkCalls)
    assert.strictEqual(series(text, "ringpool_batch_size_sum"), 25)
    assert.strictEqual(series(text, "ringpool_round_trip_ms_count"), bulkCalls)
    assert.isAbove(series(text, "ringpool_processing_time_ms_count") ?? 0, 0)
    assert.strictEqual(series(text, 'ringpool_proxy_requests_total{route="allocate_number.json",status="200"}'), 23)
    assert.strictEqual(series(text, 'ringpool_proxy_requests_total{route="allocate_number.json",status="502"}'), 1)
    assert.strictEqual(series(text, 'ringpool_proxy_requests_total{route="allocate_number.xml",status="403"}'), 1)
    assert.strictEqual(series(text, 'ringpool_proxy_request_duration_ms_count{route="allocate_number.json"}'), 24)

    assertNoPieceOf(text, key, "/metrics")
    assertNoPieceOf(text, "Wk5a5a5aQz", "/metrics")
    assertNoPieceOf(text, secretValue, "/metrics")
    assert.notInclude(text, "small")
  })
})
