import { createRingPoolClient } from "@ringpool/core"
import { afterAll, beforeEach, expect, test } from "vitest"
import { startFakeRingPoolServer } from "../../src/index.ts"

// One fake for the file, on any free port of 127.0.0.1; a fresh state for every test.
const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "test-key", size: 2 }] })
const client = createRingPoolClient({ baseUrl: fake.url })
beforeEach(() => fake.reset())
afterAll(async () => {
  await client.close()
  await fake.close()
})

const pageView = (requestId: string) => ({
  ringPoolId: "123",
  ringPoolKey: "test-key",
  params: { m1: "autos" },
  requestId
})

test("each page view gets its own number, then the pool's overflow number", async () => {
  const [first, second, third] = await Promise.all(["v1", "v2", "v3"].map((id) => client.allocate(pageView(id))))
  expect(first!.promoNumber).toMatch(/^\d{10}$/)
  expect(second!.promoNumber).not.toBe(first!.promoNumber)
  expect(third!.overflow).toBe(true)
  // The fake's log says which visit got which number.
  expect(fake.allocations().map((a) => [a.requestId, a.overflow])).toEqual([
    ["v1", false],
    ["v2", false],
    ["v3", true]
  ])
  expect(fake.attribute(first!.promoNumber)?.params).toEqual({ m1: "autos" })
})

test("a 500 from the service reaches the caller with its error handle", async () => {
  fake.inject({ fault: "status", status: 500 })
  await expect(client.allocate(pageView("v4"))).rejects.toMatchObject({
    reason: { _tag: "ServiceError", errorClass: "InternalServiceError", errorHandle: expect.any(Number) }
  })
  expect(fake.calls()[0]!.status).toBe(500)
})
