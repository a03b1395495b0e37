/**
 * `close()`: stops accepting at once, answers every request already in flight, then resolves.
 */

import { connect } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { startProxy } from "@ringpool/proxy"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { get } from "./support/http.ts"
import { key, pools } from "./support/proxy.ts"

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe("close", () => {
  it("answers what is in flight, refuses new connections, then resolves", async () => {
    const fake = await startFakeRingPoolServer({ pools })
    const proxy = await startProxy({ port: 0, baseUrl: fake.url })
    try {
      fake.inject({ fault: "delay", ms: 300 })
      const inFlight = get(`${proxy.url}/api/2014-07-28/ring_pools/1/allocate_number.csv?ring_pool_key=${key}&m1=late`)
      await until(() => fake.calls().length === 1)
      const closed = proxy.close()
      const refused = await get(`${proxy.url}/healthz`).then(
        () => "connected",
        () => "refused"
      )
      assert.strictEqual(refused, "refused")
      await closed
      // Closed, and the request that was waiting on the slow service still got its whole answer.
      const reply = await inFlight
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.headers.connection, "close")
      assert.strictEqual(reply.body.split("\n")[1]!.split(",")[1], fake.allocations()[0]!.promoNumber)
      // Closing twice is the same close.
      await proxy.close()
    } finally {
      await fake.close()
    }
  })

  it("a caller that goes away mid-body does not hold close() up", async () => {
    const fake = await startFakeRingPoolServer({ pools })
    const proxy = await startProxy({ port: 0, baseUrl: fake.url })
    const { hostname, port } = new URL(proxy.url)
    const socket = connect(Number(port), hostname)
    await new Promise((resolve) => socket.once("connect", resolve))
    socket.write(
      "POST /api/2013-07-01/bulk.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
        '{"requests":['
    )
    socket.destroy()
    // The request ends (counted as an incomplete body) rather than waiting forever for the rest.
    const counted = 'ringpool_proxy_requests_total{route="bulk.json",status="400"} 1'
    let metrics = ""
    while (!metrics.includes(counted)) metrics = (await get(`${proxy.url}/metrics`)).body
    await proxy.close()
    assert.strictEqual(fake.calls().length, 0)
    await fake.close()
  })

  it("leaves a client it was given open for its owner", async () => {
    const fake = await startFakeRingPoolServer({ pools })
    const { createRingPoolClient } = await import("@ringpool/core")
    const client = createRingPoolClient({ baseUrl: fake.url })
    const proxy = await startProxy({ port: 0, client })
    await proxy.close()
    const allocation = await client.allocate({ ringPoolId: "1", ringPoolKey: key, params: { m1: "after" } })
    assert.match(allocation.promoNumber, /^\d{10}$/)
    await client.close()
    await fake.close()
  })
})
