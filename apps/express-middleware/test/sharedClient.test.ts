import type { AddressInfo } from "node:net"
import express, { type Express } from "express"
import request from "supertest"
import { afterAll, beforeAll, expect, it } from "vitest"
import { closeSharedClient, ringPool } from "../src/index.ts"
import { bulkCalls, type Fake, type PageBody, pool, startFake } from "./support/harness.ts"

let fake: Fake
beforeAll(async () => {
  fake = await startFake()
})
afterAll(async () => {
  await closeSharedClient()
  await fake.close()
})

it("middlewares created without a client share one client from the environment, and so share bulk calls", async () => {
  process.env.RINGPOOL_BASE_URL = fake.url
  process.env.RINGPOOL_KEY = pool.key
  const app: Express = express()
  // Holds the 20 page views until all have arrived, then lets them into their middlewares in the same turn.
  const held: Array<() => void> = []
  app.use((_req, _res, next) => {
    held.push(next)
    if (held.length === 20) for (const release of held.splice(0)) release()
  })
  const show: express.RequestHandler = (_req, res) => {
    res.json(res.locals.ringPool)
  }
  // The pool's key comes from RINGPOOL_KEY, the client's default key.
  app.get(
    "/cars",
    ringPool({ pool: { id: pool.id }, params: (req) => ({ m1: `cars-${req.query.n}` }), timeoutMs: 5_000 }),
    show
  )
  app.get(
    "/boats",
    ringPool({ pool: { id: pool.id }, params: (req) => ({ m1: `boats-${req.query.n}` }), timeoutMs: 5_000 }),
    show
  )
  const server = app.listen(0, "127.0.0.1")
  await new Promise<void>((resolve) => server.once("listening", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const pages = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const path = i % 2 === 0 ? `/cars?n=${i}` : `/boats?n=${i}`
      return (await request(url).get(path).expect(200)).body as PageBody
    })
  )
  expect(pages.every((page) => page.source === "allocated")).toBe(true)
  expect(fake.allocations()).toHaveLength(20)
  expect(bulkCalls(fake)).toBe(1)
  server.closeAllConnections()
  server.close()
})

it("after closeSharedClient, new middlewares get a new shared client", async () => {
  process.env.RINGPOOL_BASE_URL = fake.url
  process.env.RINGPOOL_KEY = pool.key
  const before = ringPool({ pool: { id: pool.id }, params: { m1: "" }, onError: () => {} })
  await closeSharedClient()
  const after = ringPool({ pool: { id: pool.id }, params: { m1: "" }, timeoutMs: 5_000 })
  const app: Express = express()
  app.get("/before", before, (_req, res) => res.json(res.locals.ringPool))
  app.get("/after", after, (_req, res) => res.json(res.locals.ringPool))
  const stale = (await request(app).get("/before").expect(200)).body as PageBody
  const fresh = (await request(app).get("/after").expect(200)).body as PageBody
  // The closed client refuses: the middleware that held it serves the fallback.
  expect(stale).toMatchObject({
    source: "fallback",
    error: { reason: { _tag: "InvalidRequest", description: "the client is closed: create a new one" } }
  })
  expect(fresh.source).toBe("allocated")
})
