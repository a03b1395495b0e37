#!/usr/bin/env node
// The page of benchmark 5, in a process of its own: `ringpool` mode puts a number on it with the middleware (fake on
// loopback), `fixed` mode writes a fixed number (what the page costs without call tracking). Prints its URL.
import { createRingPoolClient } from "@ringpool/core"
import { ringPool } from "@ringpool/express"
import express from "express"

const [mode, fakeUrl] = process.argv.slice(2)
const fallback = { promoNumber: "8005550100", promoNumberFormatted: "800-555-0100" }
const app = express()
if (mode === "ringpool") {
  app.use(
    ringPool({
      pool: { id: "1", key: "bench-key" },
      params: (req) => ({ m1: String(req.query.utm_source ?? "direct"), landing_page: req.path }),
      client: createRingPoolClient({ baseUrl: fakeUrl }),
      fallback,
      timeoutMs: 250
    })
  )
} else {
  app.use((_req, res, next) => {
    res.locals.ringPool = { ...fallback, overflow: false, source: "fallback" }
    next()
  })
}
app.get("/", (_req, res) => {
  const { promoNumber, promoNumberFormatted } = res.locals.ringPool
  res
    .type("html")
    .send(
      `<!doctype html><html><head><title>Autos</title></head><body><h1>Call us</h1>` +
        `<a href="tel:+1${promoNumber}">${promoNumberFormatted}</a></body></html>`
    )
})
const server = app.listen(0, "127.0.0.1", () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
