import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import request from "supertest"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createExampleApp } from "../src/example/app.ts"
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
  const serve = fileURLToPath(new URL("../dist/example/serve.js", import.meta.url))
  const { RINGPOOL_BASE_URL: _url, RINGPOOL_KEY: _key, ...inherited } = process.env
  const env = { ...inherited, PORT: "0", EXAMPLE_TIMEOUT_MS: "5000" }
  const child: ChildProcess = spawn(process.execPath, [serve], { env, stdio: ["ignore", "pipe", "pipe"] })
  try {
    let output = ""
    child.stdout!.setEncoding("utf8")
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (chunk: string) => {
        output += chunk
        const found = /Example at (http:\/\/\S+)/.exec(output)
        if (found) resolve(found[1]!)
      })
      child.once("exit", (code) => reject(new Error(`the example exited with ${code}`)))
    })
    const json = await fetch(new URL("/phone-number.json?utm_source=google", url), {
      headers: { "User-Agent": browser }
    })
    expect(json.status).toBe(200)
    expect(await json.json()).toMatchObject({
      phoneNumber: expect.stringMatching(/^\+1\d{10}$/),
      formattedPhoneNumber: expect.stringMatching(/^\d{3}-\d{3}-\d{4}$/),
      source: "allocated"
    })
    const page = await fetch(url, { headers: { "User-Agent": browser } })
    expect(await page.text()).toContain('data-source="allocated"')
    child.kill("SIGTERM")
    const [code] = await once(child, "exit")
    // It shuts down on SIGTERM by itself: the server, the shared client and the fake all close.
    expect(code).toBe(0)
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL")
  }
})
