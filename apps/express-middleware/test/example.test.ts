import request from "supertest"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createExampleApp } from "../src/example/app.ts"
import { startExample } from "./support/exampleProcess.ts"
import { clientFor, type Fake, pool, startFake } from "./support/harness.ts"

let fake: Fake
beforeAll(async () => {
  fake = await startFake()
})
afterAll(() => fake.close())

const browser =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

it("the page shows the visitor's number, and the JSON route answers the same number in AMP's shape", async () => {
  fake.reset()
  const client = clientFor(fake)
  const app = createExampleApp({ pool, client, timeoutMs: 5_000 })
  const visitor = request.agent(app)
  const page = await visitor.get("/?utm_source=google&utm_campaign=spring").set("User-Agent", browser).expect(200)
  const [record] = fake.allocations()
  expect(record!.params).toEqual({ utm_source: "google", utm_campaign: "spring", gclid: "" })
  const digits = record!.promoNumber
  const formatted = `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`
  expect(page.headers["content-type"]).toMatch(/^text\/html/)
  expect(page.text).toContain(`<a href="tel:+1${digits}">${formatted}</a>`)
  expect(page.text).toContain('data-source="allocated"')

  const json = await visitor
    .get("/phone-number.json?utm_source=google&utm_campaign=spring")
    .set("User-Agent", browser)
    .expect(200)
  expect(json.headers["cache-control"]).toBe("private, no-store")
  expect(json.body).toEqual({
    phoneNumber: `+1${digits}`,
    formattedPhoneNumber: formatted,
    promoNumber: digits,
    trackingUrl: expect.stringContaining(digits),
    overflow: false,
    source: "sticky"
  })
  expect(fake.allocations()).toHaveLength(1)
  await client.close()
})

it("when the service fails, the page and the JSON route show the site's own number", async () => {
  fake.reset()
  fake.inject({ fault: "status", status: 500, times: "always" })
  const client = clientFor(fake)
  const app = createExampleApp({ pool, client, timeoutMs: 5_000, onError: () => {} })
  const page = await request(app).get("/").set("User-Agent", browser).expect(200)
  expect(page.text).toContain('<a href="tel:+18005550100">800-555-0100</a>')
  expect(page.text).toContain('data-source="fallback"')
  const json = await request(app).get("/phone-number.json").set("User-Agent", browser).expect(200)
  expect(json.body).toEqual({
    phoneNumber: "+18005550100",
    formattedPhoneNumber: "800-555-0100",
    promoNumber: "8005550100",
    overflow: false,
    source: "fallback"
  })
  await client.close()
})

it("the built example runs against the testkit's fake with no configuration", async () => {
  const example = await startExample({ EXAMPLE_TIMEOUT_MS: "5000" })
  try {
    const json = await fetch(new URL("/phone-number.json?utm_source=google", example.url), {
      headers: { "User-Agent": browser }
    })
    expect(json.status).toBe(200)
    expect(await json.json()).toMatchObject({
      phoneNumber: expect.stringMatching(/^\+1\d{10}$/),
      formattedPhoneNumber: expect.stringMatching(/^\d{3}-\d{3}-\d{4}$/),
      source: "allocated"
    })
    const page = await fetch(example.url, { headers: { "User-Agent": browser } })
    expect(await page.text()).toContain('data-source="allocated"')
  } finally {
    // It shuts down on SIGTERM by itself: the server, the shared client and the fake all close.
    expect(await example.stop()).toBe(0)
  }
})
