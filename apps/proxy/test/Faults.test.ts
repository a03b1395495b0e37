/**
 * Upstream faults, every kind the fake has: each request still gets exactly one answer, within its budget, in the
 * single API's error form with a 5xx status; and once the service is healthy again the proxy serves as before.
 */

import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { createRingPoolClient, type PromiseClient } from "@ringpool/core"
import { type RunningProxy, startProxy } from "@ringpool/proxy"
import { type FakeRingPoolServer, type FaultPlan, startFakeRingPoolServer } from "@ringpool/testkit"
import { concurrently, get, type Reply } from "./support/http.ts"
import { key, pools } from "./support/proxy.ts"

let fake: FakeRingPoolServer.FakeRingPoolServer
let client: PromiseClient.PromiseRingPoolClient
let proxy: RunningProxy
// A short budget for the proxy, and a shorter one for each bulk call, so that both timeouts can be seen.
const budgetMs = 1_500
const callTimeoutMs = 600

beforeAll(async () => {
  fake = await startFakeRingPoolServer({ pools })
  client = createRingPoolClient({ baseUrl: fake.url, timeoutMs: callTimeoutMs, retry: { baseDelayMs: 10 } })
  proxy = await startProxy({ port: 0, client, timeoutMs: budgetMs })
})
afterAll(async () => {
  await proxy.close()
  await client.close()
  await fake.close()
})
beforeEach(() => fake.reset())

const targets = (n: number, format = "json") =>
  Array.from({ length: n }, (_, i) => ({
    path: `/api/2014-07-28/ring_pools/1/allocate_number.${format}?ring_pool_key=${key}&m1=fault&visit=${i}`
  }))

/** The single API's error form: `Class: message` as plain text (json, csv) or `<Error>` (xml). */
const errorClassOf = (reply: Reply, format: string): string => {
  if (format === "xml") {
    const match = /^<Error><Class>(\w+)<\/Class><Message>[^<]+<\/Message><\/Error>$/.exec(reply.body)
    return match?.[1] ?? assert.fail(`not the xml error form: ${reply.body}`)
  }
  assert.strictEqual(reply.headers["content-type"], "text/plain; charset=utf-8")
  const match = /^(\w+): \S/.exec(reply.body)
  return match?.[1] ?? assert.fail(`not the plain-text error form: ${reply.body}`)
}

const stillServing = async () => {
  fake.reset()
  const reply = await get(`${proxy.url}${targets(1)[0]!.path}&after=1`)
  assert.strictEqual(reply.status, 200, reply.body)
}

const cases: ReadonlyArray<readonly [FaultPlan.Fault, number, string]> = [
  [{ fault: "status", status: 500 }, 502, "InternalServiceError"],
  [{ fault: "status", status: 503 }, 503, "UpstreamHttpError"],
  [{ fault: "status", status: 504 }, 504, "UpstreamHttpError"],
  [{ fault: "status", status: 429 }, 502, "UpstreamHttpError"],
  [{ fault: "drop" }, 502, "UpstreamConnectionFailed"],
  [{ fault: "malformed" }, 502, "UpstreamInvalidResponse"],
  [{ fault: "truncate" }, 502, "UpstreamInvalidResponse"],
  [{ fault: "missingRow" }, 502, "UpstreamResponseMismatch"],
  [{ fault: "reorder" }, 502, "UpstreamResponseMismatch"],
  // Slower than a bulk call's own timeout, faster than the proxy's budget: the call's timeout answers.
  [{ fault: "delay", ms: callTimeoutMs * 2 }, 504, "UpstreamTimeout"]
]

describe("every fault of the fake", () => {
  for (const [fault, status, errorClass] of cases) {
    it(`${JSON.stringify(fault)}: ${status} ${errorClass} for every request, then serving again`, async () => {
      fake.inject({ ...fault, times: "always" })
      for (const format of ["json", "xml"]) {
        const replies = await concurrently(proxy.url, targets(12, format))
        for (const reply of replies) {
          assert.strictEqual(reply.status, status, reply.body)
          assert.strictEqual(errorClassOf(reply, format), errorClass)
          assert.notInclude(reply.body, key)
        }
      }
      await stillServing()
    })
  }

  it("a service slower than the proxy's budget: 504 ProxyTimeout for every request", async () => {
    const slow = await startProxy({ port: 0, client, timeoutMs: 200 })
    try {
      fake.inject({ fault: "delay", ms: 2_000, times: "always" })
      const replies = await concurrently(slow.url, targets(5))
      for (const reply of replies) {
        assert.strictEqual(reply.status, 504)
        assert.strictEqual(errorClassOf(reply, "json"), "ProxyTimeout")
      }
    } finally {
      await slow.close()
    }
    await stillServing()
  })

  it("a service that refuses connections: 502 UpstreamConnectionFailed", async () => {
    const gone = await startFakeRingPoolServer({ pools })
    const url = gone.url
    await gone.close()
    const unreachable = await startProxy({ port: 0, baseUrl: url, timeoutMs: 5_000 })
    try {
      const reply = await get(`${unreachable.url}${targets(1, "xml")[0]!.path}`)
      assert.strictEqual(reply.status, 502)
      assert.strictEqual(errorClassOf(reply, "xml"), "UpstreamConnectionFailed")
      assert.include(reply.body, "ECONNREFUSED")
    } finally {
      await unreachable.close()
    }
  })
})
