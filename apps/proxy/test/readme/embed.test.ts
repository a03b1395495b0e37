import { startProxy } from "@ringpool/proxy"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { afterAll, expect, test } from "vitest"

// A fake of the service for this test; in production leave baseUrl out (RINGPOOL_BASE_URL, else Invoca's).
const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "test-key", size: 5 }] })
const proxy = await startProxy({ port: 0, baseUrl: fake.url, timeoutMs: 2_000 })
afterAll(async () => {
  await proxy.close() // stops accepting, answers what is in flight, then resolves
  await fake.close()
})

test("code written for the single API works by changing only the host", async () => {
  const url = `${proxy.url}/api/2014-07-28/ring_pools/123/allocate_number.json?ring_pool_key=test-key&site=autos`
  const response = await fetch(url)
  expect(response.status).toBe(200)
  const { promo_number_formatted } = (await response.json()) as { promo_number_formatted: string }
  expect(promo_number_formatted).toMatch(/^\d{3}-\d{3}-\d{4}$/)
  expect(fake.calls()).toHaveLength(1) // one bulk call upstream
})
