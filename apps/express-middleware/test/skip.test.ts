import request from "supertest"
import { expect, it } from "vitest"
import { defaultSkip } from "../src/index.ts"
import { clientFor, fakeAndSitePerTest, type PageBody, pool, startSite } from "./support/harness.ts"

const fixture = fakeAndSitePerTest()

const browser =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
const crawlers = [
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
  "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  "curl/8.5.0"
]
const prefetches: ReadonlyArray<[string, string]> = [
  ["Sec-Purpose", "prefetch"],
  ["Sec-Purpose", "prefetch;prerender"],
  ["Purpose", "prefetch"],
  ["X-Moz", "prefetch"],
  ["X-Purpose", "preview"]
]
const fallback = { promoNumber: "8005550100" }

it("bots, HEAD and prefetch requests are skipped: the fallback number, no allocation", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({ pool, params: { m1: "" }, client, fallback })
  for (const userAgent of crawlers) {
    const body = (await request(fixture.site.url).get("/page").set("User-Agent", userAgent).expect(200))
      .body as PageBody
    expect(body, userAgent).toEqual({
      source: "skipped",
      promoNumber: "8005550100",
      promoNumberFormatted: "800-555-0100",
      overflow: false
    })
  }
  for (const [name, value] of prefetches) {
    const body = (await request(fixture.site.url).get("/page").set("User-Agent", browser).set(name, value).expect(200))
      .body as PageBody
    expect(body.source, `${name}: ${value}`).toBe("skipped")
  }
  await request(fixture.site.url).head("/page").set("User-Agent", browser).expect(200)
  expect(fixture.fake.allocations()).toEqual([])
  expect(fixture.site.middleware.stats().views).toEqual({
    allocated: 0,
    sticky: 0,
    fallback: 0,
    skipped: crawlers.length + prefetches.length + 1
  })
  // A person's page view, for contrast, is allocated.
  const person = (await request(fixture.site.url).get("/page").set("User-Agent", browser).expect(200)).body as PageBody
  expect(person.source).toBe("allocated")
  expect(fixture.fake.allocations()).toHaveLength(1)
  await client.close()
})

it("skip replaces the default rules", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool,
    params: { m1: "" },
    client,
    skip: (req) => req.query.preview === "1"
  })
  const googlebot = crawlers[0]!
  const bot = (await request(fixture.site.url).get("/page").set("User-Agent", googlebot).expect(200)).body as PageBody
  expect(bot.source).toBe("allocated")
  const preview = (await request(fixture.site.url).get("/page?preview=1").set("User-Agent", browser).expect(200))
    .body as PageBody
  // No fallback configured: a skipped page has no number and keeps its own.
  expect(preview).toEqual({ source: "skipped", overflow: false })
  expect(fixture.fake.allocations()).toHaveLength(1)
  await client.close()
})

it("defaultSkip can be composed with rules of your own", async () => {
  const client = clientFor(fixture.fake)
  fixture.site = await startSite({
    pool,
    params: { m1: "" },
    client,
    skip: (req) => defaultSkip(req) || req.query.internal === "1"
  })
  const internal = (await request(fixture.site.url).get("/page?internal=1").set("User-Agent", browser)).body as PageBody
  const bot = (await request(fixture.site.url).get("/page").set("User-Agent", crawlers[1]!)).body as PageBody
  const person = (await request(fixture.site.url).get("/page").set("User-Agent", browser)).body as PageBody
  expect([internal.source, bot.source, person.source]).toEqual(["skipped", "skipped", "allocated"])
  await client.close()
})
