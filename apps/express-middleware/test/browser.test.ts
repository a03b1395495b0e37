// The example page in a real headless Chromium, as a visitor sees it: the built example in a process of its own,
// the testkit's fake behind it. Screenshots go to test-output/ (gitignored), for a person to look at.
import { mkdir, readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import type { Browser, Page } from "puppeteer-core"
import { afterAll, beforeAll, expect, it } from "vitest"
import { desktopUserAgent, launchBrowser } from "./support/browser.ts"
import { type ExampleProcess, startExample } from "./support/exampleProcess.ts"
import type { Fake } from "./support/harness.ts"

const outputDir = fileURLToPath(new URL("../test-output/", import.meta.url))
const key = "secret-pool-key"

let fake: Fake
let example: ExampleProcess
let browser: Browser
let closeBrowser: () => Promise<void>

beforeAll(async () => {
  ;({ browser, close: closeBrowser } = await launchBrowser())
  fake = await startFakeRingPoolServer({ pools: [{ id: "123", key, size: 20 }], port: 0 })
  example = await startExample({
    RINGPOOL_BASE_URL: fake.url,
    RINGPOOL_KEY: key,
    EXAMPLE_POOL_ID: "123",
    EXAMPLE_TIMEOUT_MS: "2000"
  })
  await mkdir(outputDir, { recursive: true })
}, 60_000)

afterAll(async () => {
  await closeBrowser?.()
  await example?.stop()
  await fake?.close()
})

const formatted = (digits: string) => `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`

const newVisitor = async (): Promise<Page> => {
  const context = await browser.createBrowserContext()
  const page = await context.newPage()
  // Chromium's headless user agent says HeadlessChrome, which the middleware rightly skips as a bot.
  await page.setUserAgent({ userAgent: desktopUserAgent })
  return page
}

/** What the visitor sees: the call link's text and target, whether it is visible, and the page's number source. */
const shown = async (page: Page) => {
  const link = await page.waitForSelector('a[href^="tel:"]')
  return {
    text: await link!.evaluate((element) => element.textContent),
    href: await link!.evaluate((element) => element.getAttribute("href")),
    visible: await link!.isVisible(),
    source: await page.$eval("[data-source]", (element) => element.getAttribute("data-source"))
  }
}

const expectPng = async (path: string) => {
  const file = await readFile(path)
  expect(file.subarray(1, 4).toString()).toBe("PNG")
  expect(file.length).toBeGreaterThan(1_000)
}

it("the visitor's formatted number is visible as a working tel: link, a reload keeps it, and the AMP page swaps it in", async () => {
  const page = await newVisitor()
  const landing = `${example.url}/?utm_source=google&utm_campaign=spring`
  await page.goto(landing, { waitUntil: "load" })
  const [record] = fake.allocations()
  expect(record?.params).toEqual({ utm_source: "google", utm_campaign: "spring", gclid: "" })
  const digits = record!.promoNumber
  expect(await shown(page)).toEqual({
    text: formatted(digits),
    href: `tel:+1${digits}`,
    visible: true,
    source: "allocated"
  })
  // Clicking hands the number to the phone app: the browser resolves it as a tel: URL, and the page stays.
  const resolved = await page.$eval('a[href^="tel:"]', (link) => {
    const url = new URL((link as unknown as { href: string }).href)
    return { protocol: url.protocol, number: url.pathname }
  })
  expect(resolved).toEqual({ protocol: "tel:", number: `+1${digits}` })
  await page.click('a[href^="tel:"]')
  expect(page.url()).toBe(landing)
  await page.screenshot({ path: `${outputDir}example-page.png`, fullPage: true })
  await expectPng(`${outputDir}example-page.png`)

  await page.reload({ waitUntil: "load" })
  expect(await shown(page)).toMatchObject({ text: formatted(digits), href: `tel:+1${digits}`, source: "sticky" })

  // The AMP page carries the site's number and swaps in the visitor's from the JSON route, with the cookie.
  const fetched = page.waitForResponse((response) => response.url().includes("/phone-number.json"))
  await page.goto(`${example.url}/amp?utm_source=google&utm_campaign=spring`, { waitUntil: "load" })
  const response = await fetched
  const url = new URL(response.url())
  expect(url.searchParams.get("__amp_source_origin")).toBe(example.url)
  expect(url.searchParams.get("utm_source")).toBe("google")
  expect(response.headers()["amp-access-control-allow-source-origin"]).toBe(example.url)
  expect(response.request().headers().cookie).toMatch(/^ringpool_visitor=/)
  await page.waitForSelector("amp-call-tracking[data-swapped]")
  expect(
    await page.$eval("amp-call-tracking", (tracking) => ({
      swapped: tracking.getAttribute("data-swapped"),
      text: tracking.querySelector("a")?.textContent,
      href: tracking.querySelector("a")?.getAttribute("href")
    }))
  ).toEqual({ swapped: "true", text: formatted(digits), href: `tel:+1${digits}` })
  await page.screenshot({ path: `${outputDir}example-amp-page.png`, fullPage: true })
  await expectPng(`${outputDir}example-amp-page.png`)
  // Every view was the same visitor with the same campaign: one allocation.
  expect(fake.allocations()).toHaveLength(1)
  await page.browserContext().close()
})

it("with the service stopped, a new visitor sees the site's own number", async () => {
  await fake.close()
  const page = await newVisitor()
  await page.goto(`${example.url}/?utm_source=bing`, { waitUntil: "load" })
  expect(await shown(page)).toEqual({
    text: "800-555-0100",
    href: "tel:+18005550100",
    visible: true,
    source: "fallback"
  })
  await page.screenshot({ path: `${outputDir}example-page-fallback.png`, fullPage: true })
  await expectPng(`${outputDir}example-page-fallback.png`)
  await page.browserContext().close()
})
