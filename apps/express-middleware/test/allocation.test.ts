import request from "supertest"
import { expect, it } from "vitest"
import {
  allocationsFor,
  bulkCalls,
  clientFor,
  fakeAndSitePerTest,
  type PageBody,
  pool,
  startFake,
  startSite
} from "./support/harness.ts"

const fixture = fakeAndSitePerTest()

it("a page view gets an allocated number, with the fields of the allocation and the params of the request", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool,
    params: (req) => ({ m1: String(req.query.utm_source ?? ""), m2: "landing" }),
    client,
    sticky: false
  })
  const response = await request(fixture.site.url).get("/page?utm_source=google").expect(200)
  const body = response.body as PageBody
  const [record, ...others] = fixture.fake.allocations()
  expect(others).toEqual([])
  expect(record).toMatchObject({ ringPoolId: "123", params: { m1: "google", m2: "landing" }, overflow: false })
  expect(body).toEqual({
    source: "allocated",
    promoNumber: record!.promoNumber,
    promoNumberFormatted: `${record!.promoNumber.slice(0, 3)}-${record!.promoNumber.slice(3, 6)}-${record!.promoNumber.slice(6)}`,
    trackingUrl: expect.stringContaining(record!.promoNumber),
    overflow: false
  })
  // A visitor's own number must not be kept by a shared cache and shown to someone else.
  expect(response.headers["cache-control"]).toBe("private")
  expect(fixture.site.middleware.stats().views.allocated).toBe(1)
  await client.close()
})

it("pool may be a function of the request: several pools on one site", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool: (req) => (req.query.brand === "other" ? { id: "456", key: "other-pool-key" } : pool),
    params: { m1: "" },
    client,
    sticky: false
  })
  await request(fixture.site.url).get("/page").expect(200)
  await request(fixture.site.url).get("/page?brand=other").expect(200)
  expect(fixture.fake.allocations().map((record) => record.ringPoolId)).toEqual(["123", "456"])
  await client.close()
})

it("pool and params may be async, and a Cache-Control set before the middleware is left alone", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite(
    {
      pool: async () => pool,
      params: async (req) => ({ m1: await Promise.resolve(String(req.query.m1)) }),
      client,
      sticky: false
    },
    (app) =>
      app.use((_req, res, next) => {
        res.set("Cache-Control", "no-store")
        next()
      })
  )
  const response = await request(fixture.site.url).get("/page?m1=async").expect(200)
  expect((response.body as PageBody).promoNumber).toBe(allocationsFor(fixture.fake, { m1: "async" })[0]!.promoNumber)
  expect(response.headers["cache-control"]).toBe("no-store")
  await client.close()
})

it("the pool's overflow number is marked as such", async () => {
  const small = await startFake(1)
  const client = clientFor(small)
  fixture.site = await startSite({ pool, params: { m1: "" }, client, sticky: false })
  const first = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  const second = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  expect([first.overflow, second.overflow]).toEqual([false, true])
  expect(second).toMatchObject({ source: "allocated", promoNumber: small.allocations()[1]!.promoNumber })
  await client.close()
  await small.close()
})

const concurrentViews = async (url: string) =>
  Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const response = await request(url).get(`/page?page=p${i}`).expect(200)
      return { i, body: response.body as PageBody }
    })
  )

const expectEachPageGotItsOwnLoggedNumber = (pages: ReadonlyArray<{ i: number; body: PageBody }>) => {
  expect(fixture.fake.allocations()).toHaveLength(200)
  for (const { i, body } of pages) {
    const logged = allocationsFor(fixture.fake, { m1: `p${i}` })
    expect(logged).toHaveLength(1)
    expect(body.source).toBe("allocated")
    expect(body.promoNumber).toBe(logged[0]!.promoNumber)
  }
  // The pool is large enough: no two pages share a number.
  expect(new Set(pages.map(({ body }) => body.promoNumber)).size).toBe(200)
}

it("200 page views in the middleware at once share few bulk calls, and each gets the number logged for its params", async () => {
  const client = clientFor(fixture.fake)
  // Holds every page view until all 200 have arrived, then lets them into the middleware in the same turn.
  const held: Array<() => void> = []
  fixture.site = await startSite(
    { pool, params: (req) => ({ m1: String(req.query.page) }), client, sticky: false },
    (app) =>
      app.use("/page", (_req, _res, next) => {
        held.push(next)
        if (held.length === 200) for (const release of held.splice(0)) release()
      })
  )
  const pages = await concurrentViews(fixture.site.url)
  const calls = bulkCalls(fixture.fake)
  console.info(`200 page views at once made ${calls} bulk calls`)
  expect(calls).toBeGreaterThanOrEqual(1)
  expect(calls).toBeLessThanOrEqual(20)
  expectEachPageGotItsOwnLoggedNumber(pages)
  await client.close()
})

it("200 concurrent page views over a realistic round trip share bulk calls", async () => {
  // A real server's round trip to the service is tens of milliseconds, not the loopback's fraction of one: while the
  // client's calls are out, page views that arrive meanwhile wait and leave together.
  fixture.fake.inject({ fault: "delay", ms: 100, times: "always" })
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool,
    params: (req) => ({ m1: String(req.query.page) }),
    client,
    sticky: false,
    timeoutMs: 5_000
  })
  const pages = await concurrentViews(fixture.site.url)
  const calls = bulkCalls(fixture.fake)
  console.info(`200 concurrent page views over a 100 ms round trip made ${calls} bulk calls`)
  // One call per page view would be 200; the bound leaves room for a slow, noisy machine.
  expect(calls).toBeLessThanOrEqual(50)
  expectEachPageGotItsOwnLoggedNumber(pages)
  await client.close()
})
