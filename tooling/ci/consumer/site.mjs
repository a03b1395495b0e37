// An Express site with the middleware, configured from the environment as a deployment would be: a page view gets
// a number from the service (here the testkit's fake on a loopback port); with the service gone, the page still
// renders, with the site's own number. A process that ends on an unhandled rejection fails this check.
import assert from "node:assert/strict"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import express from "express"

const fake = await startFakeRingPoolServer({ pools: [{ id: "321", key: "site-key", size: 3 }] })
process.env.RINGPOOL_BASE_URL = fake.url
process.env.RINGPOOL_KEY = "site-key"
const { closeSharedClient, ringPool } = await import("@ringpool/express")

const app = express()
app.get(
  "/",
  ringPool({
    pool: { id: "321" },
    params: (req) => ({ m1: String(req.query.utm_source ?? "direct") }),
    fallback: { promoNumber: "8005550100" },
    timeoutMs: 1_000,
    sticky: false,
    onError: () => {}
  }),
  (_req, res) => res.json(res.locals.ringPool)
)
const server = await new Promise((resolve) => {
  const listening = app.listen(0, "127.0.0.1", () => resolve(listening))
})
// A browser's user agent: the middleware spends no number on crawlers, and `isbot` counts fetch's own as one.
const browser = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
}
const page = async () =>
  (await fetch(`http://127.0.0.1:${server.address().port}/?utm_source=google`, { headers: browser })).json()

try {
  const allocated = await page()
  assert.equal(allocated.source, "allocated", JSON.stringify(allocated))
  assert.match(allocated.promoNumber, /^\d{10}$/)
  assert.equal(fake.allocations()[0]?.promoNumber, allocated.promoNumber)

  await fake.close()
  const fallback = await page()
  assert.equal(fallback.source, "fallback", JSON.stringify(fallback))
  assert.equal(fallback.promoNumber, "8005550100")
  // Give a stray rejection of the failed call a turn of the event loop to surface and end the process.
  await new Promise((resolve) => setTimeout(resolve, 200))
  console.log(
    `page views: ${allocated.source} ${allocated.promoNumberFormatted}, then ${fallback.source} ${fallback.promoNumber}`
  )
} finally {
  server.close()
  await closeSharedClient()
}
