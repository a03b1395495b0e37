import request from "supertest"
import { expect, it } from "vitest"
import { memoryStore, type VisitorNumber, type VisitorStore } from "../src/index.ts"
import { clientFor, fakeAndSitePerTest, type PageBody, pool, startFake, startSite } from "./support/harness.ts"
import { recordingStore } from "./support/recordingStore.ts"

const fixture = fakeAndSitePerTest()

const params = (req: { query: Record<string, unknown> }) => ({
  utm_source: String(req.query.utm_source ?? ""),
  gclid: String(req.query.gclid ?? "")
})

const numberOf = (response: request.Response) => response.body as PageBody

const setCookieOf = (response: request.Response): string | undefined => {
  const header = response.headers["set-cookie"] as unknown as Array<string> | undefined
  return header?.find((line) => line.startsWith("ringpool_visitor="))
}

it("the same visitor with the same parameters keeps their number, without a new allocation", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params, client })
  const visitor = request.agent(fixture.site.url)
  const first = await visitor.get("/page?utm_source=google&gclid=abc").expect(200)
  const second = await visitor.get("/page?utm_source=google&gclid=abc").expect(200)
  const third = await visitor.get("/page?gclid=abc&utm_source=google").expect(200)
  expect(numberOf(first).source).toBe("allocated")
  expect(numberOf(second)).toEqual({ ...numberOf(first), source: "sticky" })
  expect(numberOf(third)).toEqual({ ...numberOf(first), source: "sticky" })
  expect(fixture.fake.allocations()).toHaveLength(1)
  // The cookie is set when a number is allocated, not on every page.
  expect(setCookieOf(first)).toBeDefined()
  expect(setCookieOf(second)).toBeUndefined()
  // Another visitor gets a number of their own.
  const stranger = await request(fixture.site.url).get("/page?utm_source=google&gclid=abc").expect(200)
  expect(numberOf(stranger).source).toBe("allocated")
  expect(numberOf(stranger).promoNumber).not.toBe(numberOf(first).promoNumber)
  expect(fixture.site.middleware.stats().views).toEqual({ allocated: 2, sticky: 2, fallback: 0, skipped: 0 })
  await client.close()
})

it("changed parameters (a new gclid or utm) get a new allocation, which the visitor then keeps", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params, client })
  const visitor = request.agent(fixture.site.url)
  const google = numberOf(await visitor.get("/page?utm_source=google&gclid=abc"))
  const bing = numberOf(await visitor.get("/page?utm_source=bing&gclid=abc"))
  const bingAgain = numberOf(await visitor.get("/page?utm_source=bing&gclid=abc"))
  const newClick = numberOf(await visitor.get("/page?utm_source=bing&gclid=def"))
  expect([google.source, bing.source, bingAgain.source, newClick.source]).toEqual([
    "allocated",
    "allocated",
    "sticky",
    "allocated"
  ])
  expect(bingAgain.promoNumber).toBe(bing.promoNumber)
  expect(fixture.fake.allocations().map((record) => record.params)).toEqual([
    { utm_source: "google", gclid: "abc" },
    { utm_source: "bing", gclid: "abc" },
    { utm_source: "bing", gclid: "def" }
  ])
  // Each number the visitor saw is the one the service logged for the parameters of that page.
  expect(fixture.fake.allocations().map((record) => record.promoNumber)).toEqual([
    google.promoNumber,
    bing.promoNumber,
    newClick.promoNumber
  ])
  await client.close()
})

const visitorCookie = (response: request.Response): string => setCookieOf(response)!.split(";")[0]!

it("after ttlSeconds the number is no longer the visitor's, even when their browser still sends the cookie", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params, client, sticky: { ttlSeconds: 0.3 } })
  const first = await request(fixture.site.url).get("/page?utm_source=google")
  const cookie = visitorCookie(first)
  expect(numberOf(first).source).toBe("allocated")
  expect(numberOf(await request(fixture.site.url).get("/page?utm_source=google").set("Cookie", cookie)).source).toBe(
    "sticky"
  )
  await new Promise((resolve) => setTimeout(resolve, 400))
  const later = await request(fixture.site.url).get("/page?utm_source=google").set("Cookie", cookie)
  expect(numberOf(later).source).toBe("allocated")
  // Same visitor, new number: the cookie is set again for the new number's lifetime.
  expect(visitorCookie(later)).toBe(cookie)
  expect(fixture.fake.allocations()).toHaveLength(2)
  await client.close()
})

it("memoryStore forgets an entry after its time to live, and reading does not extend it", async () => {
  const store = memoryStore()
  const entry: VisitorNumber = {
    paramsDigest: "d",
    promoNumber: "8883906665",
    promoNumberFormatted: "888-390-6665",
    expiresAt: Date.now() + 300
  }
  store.set("visitor/123", entry, 0.3)
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(store.get("visitor/123")).toEqual(entry)
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(store.get("visitor/123")).toBeUndefined()
})

it("a store that keeps entries too long never serves a number past its lifetime", async () => {
  const client = clientFor(fixture.fake)
  const forever = new Map<string, VisitorNumber>()
  const deleted: Array<string> = []
  const store: VisitorStore = {
    get: (key) => forever.get(key),
    set: (key, value) => {
      forever.set(key, value)
    },
    delete: (key) => {
      deleted.push(key)
      forever.delete(key)
    }
  }
  fixture.site = await startSite({ pool, params, client, sticky: { ttlSeconds: 0.2, store } })
  const cookie = visitorCookie(await request(fixture.site.url).get("/page"))
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(numberOf(await request(fixture.site.url).get("/page").set("Cookie", cookie)).source).toBe("allocated")
  expect(fixture.fake.allocations()).toHaveLength(2)
  // The stale entry was removed, then replaced by the new number.
  expect(deleted).toEqual([...forever.keys()])
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(forever.get(deleted[0]!)?.promoNumber).toBe(fixture.fake.allocations()[1]!.promoNumber)
  await client.close()
})

it("an entry someone else wrote (not a number, or living longer than a number lives) is not served", async () => {
  const client = clientFor(fixture.fake)
  const entries = new Map<string, VisitorNumber>()
  const store: VisitorStore = {
    get: (key) => entries.get(key),
    set: (key, value) => {
      entries.set(key, value)
    },
    delete: (key) => {
      entries.delete(key)
    }
  }
  fixture.site = await startSite({ pool, params, client, sticky: { ttlSeconds: 60, store } })
  const cookie = visitorCookie(await request(fixture.site.url).get("/page"))
  const [key, ours] = [...entries][0]!
  const forgeries: Array<Record<string, unknown>> = [
    { ...ours, promoNumber: "<script>alert(1)</script>" },
    { ...ours, promoNumberFormatted: "call <b>now</b>" },
    { ...ours, trackingUrl: "javascript:alert(1)" },
    { ...ours, trackingUrl: 'http://x/"><script>alert(1)</script>' },
    { ...ours, trackingUrl: "http://x/\n\r<b>" },
    { ...ours, trackingUrl: "https://user:pass@evil.example/" },
    { ...ours, expiresAt: Date.now() + 10 * 24 * 3600 * 1000 },
    { ...ours, expiresAt: "soon" }
  ]
  for (const forged of forgeries) {
    entries.set(key, forged as unknown as VisitorNumber)
    const page = numberOf(await request(fixture.site.url).get("/page").set("Cookie", cookie).expect(200))
    expect(page.source, JSON.stringify(forged)).toBe("allocated")
    expect(page.promoNumber).toMatch(/^\d+$/)
  }
  // Our own entry, put back, is served again; so is one whose tracking URL the core masked a key out of.
  entries.set(key, ours)
  expect(numberOf(await request(fixture.site.url).get("/page").set("Cookie", cookie)).source).toBe("sticky")
  entries.set(key, { ...ours, trackingUrl: `https://t.test/c?k=<redacted>&us=${"x".repeat(5_000)}` })
  expect(numberOf(await request(fixture.site.url).get("/page").set("Cookie", cookie)).source).toBe("sticky")
  await client.close()
})

it("the cookie is HttpOnly, SameSite=Lax, Secure over HTTPS, lives as long as the number, and holds only a random id", async () => {
  const client = clientFor(fixture.fake)
  const { store, log } = recordingStore()
  fixture.site = await startSite({ pool, params, client, sticky: { ttlSeconds: 1800, store } }, (app) =>
    app.set("trust proxy", "loopback")
  )
  const plain = await request(fixture.site.url).get("/page?utm_source=google").expect(200)
  const cookie = setCookieOf(plain)!
  expect(cookie).toMatch(
    /^ringpool_visitor=[A-Za-z0-9_-]{22}; Max-Age=1800; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/
  )
  const visitorId = /^ringpool_visitor=([^;]+)/.exec(cookie)![1]!
  const { promoNumber } = numberOf(plain)
  expect(cookie).not.toContain(promoNumber!)
  expect(cookie).not.toContain("google")
  // The store holds a digest of the parameters, not the parameters.
  const saved = log.find((entry) => entry.op === "set")!
  expect(saved.key).toBe(`${visitorId}/123`)
  expect(saved.ttlSeconds).toBe(1800)
  expect(JSON.stringify(saved.value)).not.toContain("google")
  expect(saved.value).toMatchObject({ promoNumber, paramsDigest: expect.any(String) })

  const overHttps = await request(fixture.site.url).get("/page").set("X-Forwarded-Proto", "https").expect(200)
  expect(setCookieOf(overHttps)).toMatch(/; Secure; SameSite=Lax$/)

  const other = setCookieOf(await request(fixture.site.url).get("/page"))!
  expect(other).not.toBe(cookie)
  await client.close()
})

it("a cookie that is not one of ours is ignored and replaced", async () => {
  const client = clientFor(fixture.fake)
  const { store, log } = recordingStore()
  fixture.site = await startSite({ pool, params, client, sticky: { store } })
  const response = await request(fixture.site.url)
    .get("/page")
    .set("Cookie", "ringpool_visitor=../../etc/passwd")
    .expect(200)
  expect(numberOf(response).source).toBe("allocated")
  expect(log.filter((entry) => entry.op === "get")).toEqual([])
  expect(setCookieOf(response)).toMatch(/^ringpool_visitor=[A-Za-z0-9_-]{22};/)
  await client.close()
})

it("the overflow number is not kept: the visitor's next page view tries again for a number of their own", async () => {
  const small = await startFake(1)
  const client = clientFor(small)
  fixture.site = await startSite({ pool, params, client })
  const first = request.agent(fixture.site.url)
  const second = request.agent(fixture.site.url)
  expect(numberOf(await first.get("/page")).overflow).toBe(false)
  const overflowed = await second.get("/page")
  expect(numberOf(overflowed)).toMatchObject({ source: "allocated", overflow: true })
  expect(setCookieOf(overflowed)).toBeUndefined()
  expect(numberOf(await second.get("/page"))).toMatchObject({ source: "allocated", overflow: true })
  expect(small.allocations()).toHaveLength(3)
  await client.close()
  await small.close()
})

it("sticky: false allocates on every page view and sets no cookie", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params, client, sticky: false })
  const visitor = request.agent(fixture.site.url)
  const first = await visitor.get("/page")
  await visitor.get("/page")
  expect(setCookieOf(first)).toBeUndefined()
  expect(fixture.fake.allocations()).toHaveLength(2)
  await client.close()
})

it("a store that fails to read serves the fallback; one that fails to write still shows the new number", async () => {
  const client = clientFor(fixture.fake)
  const heard: Array<Error> = []
  let failing: "get" | "set" | undefined
  const inner = memoryStore()
  const store: VisitorStore = {
    get: (key) => {
      if (failing === "get") throw new Error("redis: connection refused")
      return inner.get(key)
    },
    set: async (key, value, ttlSeconds) => {
      if (failing === "set") throw new Error("redis: read only replica")
      inner.set(key, value, ttlSeconds)
    },
    delete: (key) => inner.delete(key)
  }
  fixture.site = await startSite({
    pool,
    params,
    client,
    fallback: { promoNumber: "8005550100" },
    sticky: { store },
    onError: (error) => heard.push(error)
  })
  const visitor = request.agent(fixture.site.url)
  await visitor.get("/page")
  failing = "get"
  const readFailed = numberOf(await visitor.get("/page"))
  expect(readFailed).toMatchObject({
    source: "fallback",
    promoNumber: "8005550100",
    error: { name: "VisitorStoreError", message: "The visitor store failed to get: redis: connection refused" }
  })
  failing = "set"
  const writeFailed = numberOf(await visitor.get("/page?utm_source=new"))
  expect(writeFailed.source).toBe("allocated")
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(heard.map((error) => error.message)).toEqual([
    "The visitor store failed to get: redis: connection refused",
    "The visitor store failed to set: redis: read only replica"
  ])
  expect(fixture.site.middleware.stats().errors).toEqual({ VisitorStoreError: 2 })
  await client.close()
})

it("the store's time counts in the page's budget", async () => {
  const client = clientFor(fixture.fake)
  const store: VisitorStore = {
    get: () => new Promise(() => {}),
    set: () => {},
    delete: () => {}
  }
  fixture.site = await startSite({ pool, params, client, timeoutMs: 100, sticky: { store }, onError: () => {} })
  const visitor = request.agent(fixture.site.url)
  await visitor.get("/page")
  const started = performance.now()
  const hung = numberOf(await visitor.get("/page"))
  expect(performance.now() - started).toBeLessThan(100 + 1_000)
  expect(hung).toMatchObject({ source: "fallback", error: { tag: "Timeout" } })
  await client.close()
})
