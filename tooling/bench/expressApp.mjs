#!/usr/bin/env node
// The page of benchmarks 5 and 6, in a process of its own: `ringpool` mode puts a number on it with the middleware
// (the upstream given on the command line: the fake, or a service that never answers), `fixed` mode writes a fixed
// number (what the page costs without call tracking). Prints its URL.
//
// `GET /__held` answers, and forgets, how long each page since the last call was held before its handler ran
// (request arrival to the page's handler, in ms, in the order pages were served), the event loop's worst delay,
// the CPU time the process spent (all since the last call), and the middleware's page views by source so far: measured
// inside the server, free of the load generator's own lag.
import { monitorEventLoopDelay } from "node:perf_hooks"
import { createRingPoolClient } from "@ringpool/core"
import { ringPool } from "@ringpool/express"
import express from "express"

const [mode, upstreamUrl, timeoutArg] = process.argv.slice(2)
const timeoutMs = Number(timeoutArg ?? 250)
const fallback = { promoNumber: "8005550100", promoNumberFormatted: "800-555-0100" }
const app = express()

// Bounded: a benchmark asks for the figures after each burst.
const maxSamples = 100_000
let held = []
let cpuSince = process.cpuUsage()
const loop = monitorEventLoopDelay({ resolution: 10 })
loop.enable()
app.get("/__held", (_req, res) => {
  const cpu = process.cpuUsage(cpuSince)
  res.json({
    held,
    eventLoopMaxMs: loop.max / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    views: tracking?.stats().views
  })
  held = []
  cpuSince = process.cpuUsage()
  loop.reset()
})

app.use((req, _res, next) => {
  req.arrivedAt = performance.now()
  next()
})
let tracking
if (mode === "ringpool") {
  tracking = ringPool({
    pool: { id: "1", key: "bench-key" },
    params: (req) => ({ m1: String(req.query.utm_source ?? "direct"), landing_page: req.path }),
    client: createRingPoolClient({ baseUrl: upstreamUrl }),
    fallback,
    timeoutMs,
    // The burst against a service that never answers is all timeouts: counted by stats, not printed.
    onError: () => {}
  })
  app.use(tracking)
} else {
  app.use((_req, res, next) => {
    res.locals.ringPool = { ...fallback, overflow: false, source: "fallback" }
    next()
  })
}
app.get("/", (req, res) => {
  if (held.length < maxSamples) held.push(performance.now() - req.arrivedAt)
  const { promoNumber, promoNumberFormatted } = res.locals.ringPool
  res
    .type("html")
    .send(
      `<!doctype html><html><head><title>Autos</title></head><body><h1>Call us</h1>` +
        `<a href="tel:+1${promoNumber}">${promoNumberFormatted}</a></body></html>`
    )
})
const server = app.listen(0, "127.0.0.1", 4_096, () =>
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`)
)
process.on("SIGTERM", () => server.close(() => process.exit(0)))
