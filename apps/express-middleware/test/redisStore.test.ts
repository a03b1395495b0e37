// redisStore against a real redis-server: what it writes, how entries expire, and how it behaves while Redis is
// away, stalled, and back.
import { createClient } from "redis"
import { afterAll, afterEach, beforeAll, expect, it } from "vitest"
import type { VisitorNumber } from "../src/index.ts"
import { type RedisVisitorStore, redisStore } from "../src/redis.ts"
import { freePort, type RedisServer, startRedis } from "./support/redisServer.ts"

let redis: RedisServer
let inspector: ReturnType<typeof createClient>
const stores: Array<RedisVisitorStore> = []

beforeAll(async () => {
  redis = await startRedis()
})
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()))
  await redis.start().catch(() => undefined)
  if (inspector?.isOpen) inspector.destroy()
})
afterAll(() => redis?.stop())

const open = (options: Partial<Parameters<typeof redisStore>[0]> = {}) => {
  const store = redisStore({ url: redis.url, ...options })
  stores.push(store)
  return store
}

const inspect = async () => {
  inspector = createClient({ url: redis.url })
  inspector.on("error", () => {})
  await inspector.connect()
  return inspector
}

const number = (lifetimeMs: number): VisitorNumber => ({
  paramsDigest: "digest-of-the-parameters",
  promoNumber: "8883906665",
  promoNumberFormatted: "888-390-6665",
  trackingUrl: "https://example.test/t/8883906665",
  expiresAt: Date.now() + lifetimeMs
})

it("writes the visitor number as JSON under the prefix, expiring with the number's lifetime (SET ... PX)", async () => {
  const store = open({ prefix: "site-a:" })
  const value = { ...number(60_000), params: { m1: "autos" }, ringPoolKey: "secret-pool-key" } as VisitorNumber
  await store.set("visitor/123", value, 60)
  const raw = await inspect()
  const stored = await raw.get("site-a:visitor/123")
  // Only the fields of a visitor number: never the parameters, never a key, whatever the object carried.
  const { params: _params, ringPoolKey: _key, ...fields } = value as VisitorNumber & Record<string, unknown>
  expect(JSON.parse(stored!)).toEqual(fields)
  expect(stored).not.toContain("autos")
  expect(stored).not.toContain("secret")
  const ttl = await raw.pTTL("site-a:visitor/123")
  expect(ttl).toBeGreaterThan(55_000)
  expect(ttl).toBeLessThanOrEqual(60_000)
  expect(await store.get("visitor/123")).toEqual(JSON.parse(stored!))
  expect(await store.get("visitor/other")).toBeUndefined()
  await store.delete("visitor/123")
  expect(await raw.exists("site-a:visitor/123")).toBe(0)
})

it("the default prefix is ringpool:, and an entry is gone from Redis once its time to live has passed", async () => {
  const store = open()
  await store.set("v/1", number(300), 0.3)
  const raw = await inspect()
  expect(await raw.exists("ringpool:v/1")).toBe(1)
  await new Promise((resolve) => setTimeout(resolve, 450))
  expect(await raw.exists("ringpool:v/1")).toBe(0)
  expect(await store.get("v/1")).toBeUndefined()
})

it("a value that is not a visitor number reads as a miss, so a new number replaces it", async () => {
  const store = open()
  const raw = await inspect()
  await raw.set("ringpool:v/bad", "not json")
  await raw.set("ringpool:v/shape", JSON.stringify({ promoNumber: 8883906665 }))
  expect(await store.get("v/bad")).toBeUndefined()
  expect(await store.get("v/shape")).toBeUndefined()
})

it("an entry that is not a number we wrote (a script, a javascript: URL, 8 MB of text) is a miss, read no further", async () => {
  const store = open()
  const raw = await inspect()
  const forged = (fields: Partial<Record<keyof VisitorNumber, unknown>>) =>
    JSON.stringify({ ...number(60_000), ...fields })
  await raw.set("ringpool:v/script", forged({ promoNumber: "<script>alert(1)</script>" }))
  await raw.set("ringpool:v/url", forged({ trackingUrl: "javascript:alert(1)" }))
  await raw.set("ringpool:v/forever", forged({ expiresAt: "never" }))
  await raw.set("ringpool:v/huge", `{"promoNumber":"${"8".repeat(8 * 1024 * 1024)}"}`)
  for (const name of ["v/script", "v/url", "v/forever", "v/huge"]) expect(await store.get(name), name).toBeUndefined()
  const heapBefore = process.memoryUsage().heapUsed
  await store.get("v/huge")
  // Read whole, the 8 MB value would be 8 MB of string at least; GETRANGE reads 16 KB of it.
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(2 * 1024 * 1024)
})

it("a Redis that cannot be reached from the start fails commands at once, the first ones too", async () => {
  // A port nothing listens on.
  const store = redisStore({ url: `redis://127.0.0.1:${await freePort()}`, commandTimeoutMs: 1_000 })
  stores.push(store)
  const timed = async () => {
    const started = performance.now()
    const failure = await store.get("v/1").then(
      () => undefined,
      (error: Error) => error
    )
    return { ms: performance.now() - started, message: failure?.message }
  }
  // Sent before the first connection has failed: it fails when it does, within moments (connection refused).
  const first = await timed()
  // Sent after: at once.
  const later = await timed()
  for (const { ms, message } of [first, later]) {
    // Waiting for a connection, each would take commandTimeoutMs (1 s).
    expect(ms).toBeLessThan(500)
    expect(message).toMatch(/^Redis GET failed \(not connected: .*ECONNREFUSED/)
  }
})

it("Redis stopped: commands fail within commandTimeoutMs saying why; Redis back: the store works again by itself", async () => {
  const store = open({ commandTimeoutMs: 300 })
  await store.set("v/1", number(60_000), 60)
  await redis.stop()
  const started = performance.now()
  const failure = await store.get("v/1").then(
    () => undefined,
    (error: Error) => error
  )
  expect(performance.now() - started).toBeLessThan(300 + 1_000)
  expect(failure?.message).toMatch(/^Redis (GET failed|did not answer GET within 300 ms)/)
  expect(failure?.message).toMatch(/not connected/)
  await redis.start()
  // node-redis reconnects with backoff (at most about 2 s between tries).
  let back: VisitorNumber | undefined | Error = new Error("not yet")
  for (let i = 0; i < 50 && back instanceof Error; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    back = await store.set("v/2", number(60_000), 60).then(
      () => store.get("v/2"),
      (error: Error) => error
    )
  }
  expect(back).toMatchObject({ promoNumber: "8883906665" })
})

it("a stalled Redis (connected, not answering) fails each command after commandTimeoutMs, and close() does not hang", async () => {
  const store = open({ commandTimeoutMs: 200 })
  await store.set("v/1", number(60_000), 60)
  redis.freeze()
  try {
    const failures = await Promise.all(
      [store.get("v/1"), store.set("v/2", number(1_000), 1), store.delete("v/1")].map((command) =>
        command.then(
          () => "answered",
          (error: Error) => error.message
        )
      )
    )
    expect(failures).toEqual([
      "Redis did not answer GET within 200 ms",
      "Redis did not answer SET within 200 ms",
      "Redis did not answer DEL within 200 ms"
    ])
    const closing = performance.now()
    await store.close()
    expect(performance.now() - closing).toBeLessThan(200 + 1_000)
  } finally {
    redis.resume()
  }
})

it("close() is idempotent, also while Redis is down and the client is reconnecting", async () => {
  const store = open()
  await store.get("v/1")
  await redis.stop()
  await new Promise((resolve) => setTimeout(resolve, 100))
  await store.close()
  await store.close()
  const neverConnected = redisStore({ url: "redis://127.0.0.1:1" })
  await neverConnected.close()
})

it("bad options throw at creation, saying what to write and never showing the URL's password", () => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /^redisStore\(\): expected options such as redisStore\(\{ url: "redis:\/\/127\.0\.0\.1:6379" \}\)$/],
    [{}, /url must be a string such as "redis:\/\/127\.0\.0\.1:6379"/],
    [{ url: "tcp://user:p4ssw0rd-xyz@127.0.0.1:6379" }, /url must start with redis:\/\/ or rediss:\/\/, not tcp:\/\//],
    [{ url: "not a url p4ssw0rd-xyz" }, /url is not a URL; write it as "redis:\/\/host:port"/],
    [{ url: "http://:p4ssw0rd-xyz@127.0.0.1" }, /url must start with redis:\/\/ or rediss:\/\/, not http:\/\//],
    [{ url: redis.url, prefix: 5 }, /prefix must be a string/],
    [{ url: redis.url, commandTimeoutMs: 0 }, /commandTimeoutMs must be a positive whole number, e.g. 1000, got 0/],
    [{ url: redis.url, maxPending: 1.5 }, /maxPending must be a positive whole number/],
    [
      { url: redis.url, host: "x" },
      /unknown option \(a name of 4 characters, not shown\); known: url, prefix, commandTimeoutMs, max/
    ],
    [{ url: redis.url, timeout: 50 }, /unknown option "timeout" \(did you mean "commandTimeoutMs"\?\)/],
    // A name that runs on past a known one may be a value pasted in with it: not shown.
    [
      { url: redis.url, "url:redis://:p4ssw0rd-xyz@cache:6379": "" },
      /unknown option \(a name of 36 characters, not shown\)/
    ]
  ]
  for (const [options, message] of cases) {
    let thrown: unknown
    try {
      redisStore(options as Parameters<typeof redisStore>[0])
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TypeError)
    expect((thrown as Error).message).toMatch(message)
    expect((thrown as Error).message).not.toContain("p4ssw0")
  }
})
