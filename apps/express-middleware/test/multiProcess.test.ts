// A site on two processes: two example apps, each a process of its own, with redisStore on one real redis-server
// and one fake service. A visitor's page views alternate between them, as behind a load balancer.
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type ExampleProcess, startExample } from "./support/exampleProcess.ts"
import type { Fake } from "./support/harness.ts"
import { Visitor, viewPage } from "./support/pageView.ts"
import { type RedisServer, startRedis } from "./support/redisServer.ts"

const key = "secret-pool-key"
const timeoutMs = 2_000
// Machines are shared and noisy: the page must come in the budget plus this, not in the service's own time.
const margin = 1_000
const siteNumber = "8005550100"

let redis: RedisServer
let fake: Fake
let apps: Array<ExampleProcess> = []
let shortLived: Array<ExampleProcess> = []

const startApps = (poolId: string, env: Record<string, string> = {}) =>
  Promise.all(
    [0, 1].map(() =>
      startExample({
        RINGPOOL_BASE_URL: fake.url,
        RINGPOOL_KEY: key,
        EXAMPLE_POOL_ID: poolId,
        REDIS_URL: redis.url,
        EXAMPLE_TIMEOUT_MS: String(timeoutMs),
        ...env
      })
    )
  )

beforeAll(async () => {
  redis = await startRedis()
  fake = await startFakeRingPoolServer({
    pools: [
      { id: "123", key, size: 3_000 },
      // Numbers that live one second, with visitors keeping them as long: expiry within a test.
      { id: "124", key, size: 50, lifetimeSeconds: 1 }
    ],
    port: 0
  })
  apps = await startApps("123")
  shortLived = await startApps("124", { EXAMPLE_TTL_SECONDS: "1" })
}, 60_000)

afterAll(async () => {
  const codes = await Promise.all([...apps, ...shortLived].map((app) => app.stop()))
  await fake?.close()
  await redis?.stop()
  // Each process shut down cleanly on SIGTERM, Redis store included.
  expect(codes.every((code) => code === 0)).toBe(true)
})

const allocationsOf = (poolId: string) => fake.allocations().filter((record) => record.ringPoolId === poolId)

it("a visitor alternating between the two processes keeps one number; new parameters get one new number, on either", async () => {
  const before = allocationsOf("123").length
  const visitors = Array.from({ length: 4 }, () => new Visitor())
  const seen = new Map<string, Set<string>>()
  for (const [v, visitor] of visitors.entries()) {
    for (const campaign of ["google", "bing"]) {
      const processes = new Set<string>()
      for (let view = 0; view < 6; view++) {
        const app = apps[(view + v) % 2]!
        const page = await visitor.view(app.url, `/?utm_source=${campaign}&utm_campaign=v${v}`)
        expect(page.status).toBe(200)
        expect(page.source).toBe(view === 0 ? "allocated" : "sticky")
        processes.add(page.process!)
        const numbers = seen.get(`${v}/${campaign}`) ?? new Set()
        numbers.add(page.promoNumber!)
        seen.set(`${v}/${campaign}`, numbers)
      }
      expect(processes.size).toBe(2)
    }
  }
  // One number per (visitor, parameters), all different, and exactly one allocation each in the service's log.
  expect([...seen.values()].every((numbers) => numbers.size === 1)).toBe(true)
  const numbers = [...seen.values()].map((set) => [...set][0])
  expect(new Set(numbers).size).toBe(8)
  const logged = allocationsOf("123").slice(before)
  expect(logged).toHaveLength(8)
  expect(logged.map((record) => record.promoNumber).sort()).toEqual([...numbers].sort())
  for (const record of logged) expect(record.params.utm_source).toMatch(/^(google|bing)$/)
})

it("after the number's lifetime the visitor gets a new one, on either process, and keeps that one", async () => {
  const visitor = new Visitor()
  const [first, second] = shortLived as [ExampleProcess, ExampleProcess]
  const before = allocationsOf("124").length
  const original = await visitor.view(first.url, "/?utm_source=google")
  expect((await visitor.view(second.url, "/?utm_source=google")).promoNumber).toBe(original.promoNumber)
  expect(allocationsOf("124").length - before).toBe(1)
  await new Promise((resolve) => setTimeout(resolve, 1_300))
  const renewed = await visitor.view(second.url, "/?utm_source=google")
  expect(renewed.source).toBe("allocated")
  const again = await visitor.view(first.url, "/?utm_source=google")
  expect(again).toMatchObject({ source: "sticky", promoNumber: renewed.promoNumber })
  const logged = allocationsOf("124").slice(before)
  expect(logged.map((record) => record.promoNumber)).toEqual([original.promoNumber, renewed.promoNumber])
})

it("Redis stopped mid-run: every page renders in its budget with a number or the fallback; Redis back: stickiness returns", async () => {
  const returning = new Visitor()
  await returning.view(apps[0]!.url, "/?utm_source=google")
  await redis.stop()
  try {
    const views = await Promise.all(
      apps.flatMap((app) => [
        returning.view(app.url, "/?utm_source=google"),
        viewPage(app.url, "/?utm_source=google"),
        viewPage(app.url, "/?utm_source=bing")
      ])
    )
    for (const page of views) {
      expect(page.status).toBe(200)
      expect(page.elapsedMs).toBeLessThan(timeoutMs + margin)
      expect(page.promoNumber).toMatch(/^\d{10}$/)
    }
    // The returning visitor's number cannot be read: the site's own number. New visitors still get numbers.
    const [returned, newcomer] = views as [(typeof views)[0], (typeof views)[0]]
    expect(returned).toMatchObject({ source: "fallback", promoNumber: siteNumber })
    expect(newcomer.source).toBe("allocated")
  } finally {
    await redis.start()
  }
  // The apps were not restarted: their Redis clients reconnect by themselves (backoff of at most about 2 s).
  const visitor = new Visitor()
  let kept = false
  for (let attempt = 0; attempt < 40 && !kept; attempt++) {
    visitor.cookie = undefined
    const first = await visitor.view(apps[0]!.url, `/?utm_source=back${attempt}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const second = await visitor.view(apps[1]!.url, `/?utm_source=back${attempt}`)
    kept = second.source === "sticky" && second.promoNumber === first.promoNumber
  }
  expect(kept).toBe(true)
})

it("2,000 simultaneous page views across both processes: no number shown to two visitors, bulk calls coalesced", async () => {
  const callsBefore = fake.calls().filter((call) => call.kind === "bulk").length
  const allocationsBefore = allocationsOf("123").length
  const views = await Promise.all(
    Array.from({ length: 2_000 }, (_, i) => viewPage(apps[i % 2]!.url, `/?utm_source=burst&gclid=g${i}`))
  )
  const bulkCalls = fake.calls().filter((call) => call.kind === "bulk").length - callsBefore
  const allocated = views.filter((page) => page.source === "allocated")
  for (const page of views) {
    expect(page.status).toBe(200)
    expect(page.promoNumber).toMatch(/^\d{10}$/)
    if (page.source !== "allocated") expect(page).toMatchObject({ source: "fallback", promoNumber: siteNumber })
  }
  expect(new Set(allocated.map((page) => page.promoNumber)).size).toBe(allocated.length)
  // Each allocated page shows the number the service logged for its own gclid.
  const logged = new Map(
    allocationsOf("123")
      .slice(allocationsBefore)
      .map((r) => [r.params.gclid, r.promoNumber])
  )
  views.forEach((page, i) => {
    if (page.source === "allocated") expect(logged.get(`g${i}`)).toBe(page.promoNumber)
  })
  console.info(
    `2,000 simultaneous page views: ${allocated.length} allocated, ${2_000 - allocated.length} fallback, in ${bulkCalls} bulk calls`
  )
  expect(allocated.length).toBeGreaterThan(1_000)
  // Coalesced: far fewer bulk calls than page views (one call per view would be 2,000).
  expect(bulkCalls).toBeLessThan(allocated.length / 5)
}, 60_000)

it("the example runs N processes on one port with Node's cluster, sharing numbers through Redis", async () => {
  const site = await startExample({
    RINGPOOL_BASE_URL: fake.url,
    RINGPOOL_KEY: key,
    EXAMPLE_POOL_ID: "123",
    REDIS_URL: redis.url,
    EXAMPLE_WORKERS: "2",
    EXAMPLE_TIMEOUT_MS: String(timeoutMs)
  })
  try {
    const visitor = new Visitor()
    const first = await visitor.view(site.url, "/?utm_source=cluster")
    const processes = new Set([first.process])
    const numbers = new Set([first.promoNumber])
    // Each view is a new connection, which the cluster hands to its workers in turn.
    for (let i = 0; i < 8; i++) {
      const page = await visitor.view(site.url, "/?utm_source=cluster")
      expect(page.source).toBe("sticky")
      processes.add(page.process)
      numbers.add(page.promoNumber)
    }
    expect(processes.size).toBe(2)
    expect(numbers.size).toBe(1)
  } finally {
    expect(await site.stop()).toBe(0)
  }
})
