// A real Express 5 app on a loopback port, in front of the testkit's fake service: what every test drives.
import type { AddressInfo } from "node:net"
import { createRingPoolClient, type PromiseClient, RingPoolError } from "@ringpool/core"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import express, { type Express, type NextFunction, type Request, type Response } from "express"
import { afterAll, afterEach, beforeAll } from "vitest"
import { type RingPoolMiddleware, type RingPoolOptions, ringPool } from "../../src/index.ts"

/** A running fake of the service. */
export type Fake = FakeRingPoolServer.FakeRingPoolServer

export const pool = { id: "123", key: "secret-pool-key" } as const

export const startFake = (size = 500): Promise<Fake> =>
  startFakeRingPoolServer({
    pools: [
      { id: pool.id, key: pool.key, size },
      { id: "456", key: "other-pool-key", size: 50 }
    ],
    port: 0
  })

/** What the page rendered: `res.locals.ringPool`, with its error reduced to what JSON can carry. */
export interface PageBody {
  readonly source: string
  readonly promoNumber?: string
  readonly promoNumberFormatted?: string
  readonly trackingUrl?: string
  readonly overflow: boolean
  readonly error?: { readonly name: string; readonly tag?: string; readonly message: string }
}

export interface Site {
  readonly url: string
  readonly app: Express
  readonly middleware: RingPoolMiddleware
  readonly close: () => Promise<void>
}

/**
 * An app whose `/page` answers with `res.locals.ringPool` as JSON, and whose error handler answers 500 with the
 * error's reason, so `failOpen: false` can be observed.
 */
export const startSite = async (options: RingPoolOptions, configure?: (app: Express) => void): Promise<Site> => {
  const app: Express = express()
  configure?.(app)
  // A generous budget unless the test is about the budget: the suite runs in parallel on a shared, noisy machine.
  const middleware = ringPool({ timeoutMs: 5_000, ...options })
  app.all("/page", middleware, (_req, res) => {
    const locals = res.locals.ringPool
    const error = locals !== undefined && "error" in locals ? locals.error : undefined
    res.json({
      ...locals,
      error:
        error === undefined
          ? undefined
          : {
              name: error.name,
              tag: error instanceof RingPoolError.RingPoolError ? error.reason._tag : undefined,
              message: error.message
            }
    })
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({
      handledBy: "error handler",
      tag: error instanceof RingPoolError.RingPoolError ? error.reason._tag : undefined,
      message: error.message
    })
  })
  const server = app.listen(0, "127.0.0.1")
  await new Promise<void>((resolve) => server.once("listening", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    middleware,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}

/**
 * The lifecycle every page test shares: one fake for the file, reset after each test, and the site a test opened
 * (assigned to `site`) closed after it.
 */
export const fakeAndSitePerTest = (): { fake: Fake; site: Site | undefined } => {
  const fixture = { site: undefined } as { fake: Fake; site: Site | undefined }
  beforeAll(async () => {
    fixture.fake = await startFake()
  })
  afterEach(async () => {
    await fixture.site?.close()
    fixture.site = undefined
    fixture.fake.reset()
  })
  afterAll(() => fixture.fake.close())
  return fixture
}

export const clientFor = (fake: Fake, timeoutMs = 5_000): PromiseClient.PromiseRingPoolClient =>
  createRingPoolClient({ baseUrl: fake.url, timeoutMs })

/** The allocation log's rows for pool 123 whose parameters are exactly these. */
export const allocationsFor = (fake: Fake, params: Record<string, string>) =>
  fake
    .allocations()
    .filter(
      (record) =>
        record.ringPoolId === pool.id &&
        JSON.stringify(Object.entries(record.params)) === JSON.stringify(Object.entries(params))
    )

export const bulkCalls = (fake: Fake): number => fake.calls().filter((call) => call.kind === "bulk").length
