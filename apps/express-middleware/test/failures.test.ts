import request from "supertest"
import { describe, expect, it } from "vitest"
import {
  clientFor,
  type Fake,
  fakeAndSitePerTest,
  type PageBody,
  pool,
  startFake,
  startSite
} from "./support/harness.ts"

const fixture = fakeAndSitePerTest()

const timeoutMs = 1_000
// Machines are shared and noisy: the page must come in the budget plus this, not in the service's own time.
const margin = 1_000
const fallback = { promoNumber: "8005550100" }

const timedViews = async (url: string, count: number) =>
  Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const started = performance.now()
      const response = await request(url).get(`/page?n=${i}`).expect(200)
      return { elapsedMs: performance.now() - started, body: response.body as PageBody }
    })
  )

type Scenario = {
  readonly name: string
  /** The `reason._tag` the page's error has. */
  readonly reason: RegExp
  readonly prepare: () => Promise<Fake>
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "delayed past timeoutMs",
    reason: /^Timeout$/,
    prepare: async () => {
      fixture.fake.inject({ fault: "delay", ms: 5_000, times: "always" })
      return fixture.fake
    }
  },
  {
    name: "answering 500",
    reason: /^ServiceError$/,
    prepare: async () => {
      fixture.fake.inject({ fault: "status", status: 500, times: "always" })
      return fixture.fake
    }
  },
  {
    name: "dropping the connection",
    reason: /^Transport$/,
    prepare: async () => {
      fixture.fake.inject({ fault: "drop", times: "always" })
      return fixture.fake
    }
  },
  {
    name: "down",
    // The client retries a refused connection (nothing was sent), so the budget may end the retries first.
    reason: /^(Transport|Timeout)$/,
    prepare: async () => {
      const down = await startFake()
      await down.close()
      return down
    }
  }
]

describe.each(scenarios)("the service $name", ({ reason, prepare }) => {
  it("every page still renders within the budget, with the fallback number, and onError hears of it", async () => {
    const service = await prepare()
    const client = clientFor(service, 10_000)
    const heard: Array<Error> = []
    fixture.site = await startSite({
      pool,
      params: (req) => ({ m1: String(req.query.n) }),
      client,
      fallback,
      timeoutMs,
      onError: (error) => heard.push(error)
    })
    const pages = await timedViews(fixture.site.url, 20)
    for (const { elapsedMs, body } of pages) {
      expect(elapsedMs).toBeLessThan(timeoutMs + margin)
      expect(body).toEqual({
        source: "fallback",
        promoNumber: "8005550100",
        promoNumberFormatted: "800-555-0100",
        overflow: false,
        error: { name: "RingPoolError", tag: expect.stringMatching(reason), message: expect.any(String) }
      })
      expect(body.error?.message).not.toContain(pool.key)
    }
    expect(heard).toHaveLength(20)
    expect(heard.every((error) => error.name === "RingPoolError")).toBe(true)
    const stats = fixture.site.middleware.stats()
    expect(stats.views).toEqual({ allocated: 0, sticky: 0, fallback: 20, skipped: 0 })
    expect(Object.keys(stats.errors).every((kind) => reason.test(kind))).toBe(true)
    expect(Object.values(stats.errors).reduce((a, b) => a + b, 0)).toBe(20)
  })
})

it("with failOpen: false the error goes to next(err)", async () => {
  fixture.fake.inject({ fault: "status", status: 500 })
  const client = clientFor(fixture.fake)
  const heard: Array<Error> = []
  fixture.site = await startSite({
    pool,
    params: { m1: "" },
    client,
    fallback,
    failOpen: false,
    onError: (error) => heard.push(error)
  })
  const response = await request(fixture.site.url).get("/page").expect(500)
  expect(response.body).toEqual({ handledBy: "error handler", tag: "ServiceError", message: expect.any(String) })
  // The error handler is the report: onError is for failures served with the fallback.
  expect(heard).toEqual([])
  expect(fixture.site.middleware.stats().errors).toEqual({ ServiceError: 1 })
  await client.close()
})

it("a row the service rejects gets the fallback; the key in the service's message never reaches the page", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool: { id: pool.id, key: "wrong-key" },
    params: { m1: "" },
    client,
    fallback,
    onError: () => {}
  })
  const body = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  expect(body).toMatchObject({ source: "fallback", promoNumber: "8005550100", error: { tag: "Rejected" } })
  expect(body.error?.message).toContain("InvalidKey")
  expect(body.error?.message).not.toContain("wrong-key")
  await client.close()
})

it("a fallback function whose number has letters is reported, and the page gets no number rather than another", async () => {
  fixture.fake.inject({ fault: "status", status: 500 })
  const client = clientFor(fixture.fake)
  const heard: Array<Error> = []
  fixture.site = await startSite({
    pool,
    params: { m1: "" },
    client,
    fallback: () => ({ promoNumber: "1-800-FLOWERS ext 12" }),
    onError: (error) => heard.push(error)
  })
  const body = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  expect(body.source).toBe("fallback")
  expect(body.promoNumber).toBeUndefined()
  expect(heard.map((error) => error.message)).toContain(
    "ringPool(): the fallback function's result has a promoNumber with more than digits, spaces, -, ., parentheses and a leading +: write the number a phone dials (8005550100, +1 800 555 0100)"
  )
  await client.close()
})

it("without a fallback, a failed page has no number and the page keeps its own", async () => {
  fixture.fake.inject({ fault: "status", status: 500 })
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params: { m1: "" }, client, onError: () => {} })
  const body = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  expect(body).toEqual({ source: "fallback", overflow: false, error: expect.objectContaining({ tag: "ServiceError" }) })
  await client.close()
})

it("a params function that throws, or returns no parameters, serves the fallback with a message that says why", async () => {
  const client = clientFor(fixture.fake)
  const heard: Array<Error> = []
  fixture.site = await startSite({
    pool,
    params: (req) => {
      if (req.query.broken === "throw") throw new Error("campaign lookup failed")
      return {}
    },
    client,
    fallback,
    onError: (error) => heard.push(error)
  })
  const thrown = (await request(fixture.site.url).get("/page?broken=throw").expect(200)).body as PageBody
  expect(thrown).toMatchObject({ source: "fallback", error: { name: "Error", message: "campaign lookup failed" } })
  const empty = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  expect(empty).toMatchObject({ source: "fallback", error: { tag: "InvalidRequest" } })
  expect(empty.error?.message).toContain("at least one parameter")
  expect(heard).toHaveLength(2)
  expect(fixture.fake.allocations()).toEqual([])
  await client.close()
})

it("an onError hook that throws does not break the page", async () => {
  fixture.fake.inject({ fault: "status", status: 500 })
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool,
    params: { m1: "" },
    client,
    fallback,
    onError: () => {
      throw new Error("logger is down")
    }
  })
  const body = (await request(fixture.site.url).get("/page").expect(200)).body as PageBody
  expect(body).toMatchObject({ source: "fallback", promoNumber: "8005550100" })
  await client.close()
})

it("an allocator of the user's that ignores the signal still cannot hold the page past its budget", async () => {
  const heard: Array<Error> = []
  fixture.site = await startSite({
    pool,
    params: { m1: "" },
    client: { allocate: () => new Promise(() => {}) },
    fallback,
    timeoutMs: 200,
    onError: (error) => heard.push(error)
  })
  const [page] = await timedViews(fixture.site.url, 1)
  expect(page!.elapsedMs).toBeLessThan(200 + margin)
  expect(page!.body).toMatchObject({ source: "fallback", error: { tag: "Timeout" } })
  expect(heard).toHaveLength(1)
})
