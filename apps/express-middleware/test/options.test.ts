import { createRingPoolClient } from "@ringpool/core"
import { afterAll, expect, it } from "vitest"
import { memoryStore, type RingPoolOptions, ringPool } from "../src/index.ts"
import { consoleReporter } from "../src/Report.ts"

const client = createRingPoolClient({ baseUrl: "http://127.0.0.1:9" })
afterAll(() => client.close())

const valid: RingPoolOptions = { pool: { id: "123", key: "secret-pool-key" }, params: { m1: "" }, client }
const create = (options: Record<string, unknown>) => () => ringPool({ ...valid, ...options } as RingPoolOptions)

it("accepts valid options and returns a middleware with stats", () => {
  const middleware = ringPool({
    ...valid,
    fallback: { promoNumber: "(800) 555-0100" },
    timeoutMs: 250,
    failOpen: true,
    onError: () => {},
    skip: () => false,
    sticky: { cookieName: "rp", ttlSeconds: 600, store: memoryStore({ max: 10 }) }
  })
  expect(typeof middleware).toBe("function")
  expect(middleware.length).toBe(3)
  expect(middleware.stats()).toEqual({ views: { allocated: 0, sticky: 0, fallback: 0, skipped: 0 }, errors: {} })
  expect(() => ringPool({ ...valid, sticky: false })).not.toThrow()
  expect(() => ringPool({ ...valid, sticky: true })).not.toThrow()
  expect(() => ringPool({ ...valid, pool: () => ({ id: 1 }), params: () => [["m1", "a"]] })).not.toThrow()
})

it("an unknown option throws, naming the known ones and the likely intended one", () => {
  expect(create({ timeout: 250 })).toThrow(
    'ringPool(): unknown option "timeout" (did you mean "timeoutMs"?); known: pool, params, client, fallback, timeoutMs, failOpen, onError, skip, sticky'
  )
  expect(create({ fallbackNumber: "8005550100" })).toThrow('unknown option "fallbackNumber" (did you mean "fallback"?)')
  expect(create({ colour: "blue" })).toThrow(
    /^ringPool\(\): unknown option \(a name of 6 characters, not shown\); known: pool, params/
  )
  expect(create({ sticky: { ttl: 60 } })).toThrow('unknown sticky option "ttl" (did you mean "ttlSeconds"?)')
})

it("required options say what to write", () => {
  expect(() => ringPool({ params: { m1: "" }, client } as unknown as RingPoolOptions)).toThrow(
    'ringPool(): pool is required: the RingPool to allocate from, e.g. pool: { id: "123", key: process.env.RINGPOOL_KEY }'
  )
  expect(() => ringPool({ pool: valid.pool, client } as unknown as RingPoolOptions)).toThrow(
    'ringPool(): params is required: a function of the request that returns the RingPool parameters, e.g. params: (req) => ({ m1: String(req.query.utm_source ?? "") })'
  )
  expect(() => ringPool(undefined as unknown as RingPoolOptions)).toThrow(/^ringPool\(\): expected options such as/)
})

it("wrong types throw with a message that says what to write, and never show the key", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ pool: "123" }, /pool must be the RingPool to allocate from, e\.g\. pool: \{ id: "123"/],
    [{ pool: { id: "", key: "k" } }, /pool\.id must be the RingPool's id, a non-empty string or a whole number/],
    [{ pool: { id: "1", ringPoolKey: "k" } }, /pool has an unknown field "ringPoolKey"; write pool: \{ id: "123", key/],
    [{ pool: { id: "1", key: 42 } }, /pool\.key must be a string/],
    [{ params: {} }, /params needs at least one parameter, even with an empty value: \{ m1: "" \}/],
    [{ params: { m1: 5 } }, /params\.m1 must be a string \(write String\(value\) or "" for a missing value\)/],
    [{ params: "m1=autos" }, /params must be the RingPool parameters or a function of the request/],
    [{ client: { send: () => {} } }, /client must be a client from createRingPoolClient/],
    [{ fallback: "8005550100" }, /fallback must be an object: write fallback: \{ promoNumber: "8005550100" \}/],
    [{ fallback: { number: "8005550100" } }, /fallback has an unknown field "number"/],
    [{ fallback: { promoNumber: "call us" } }, /fallback needs promoNumber, a string of digits/],
    [{ fallback: { promoNumber: "800 555 0100 ext 9" } }, /fallback has a promoNumber with more than digits, spaces/],
    [
      { timeoutMs: "250" },
      /timeoutMs must be a positive number of milliseconds such as 250, got a string of 3 characters/
    ],
    [{ timeoutMs: 0 }, /timeoutMs must be a positive number/],
    [{ failOpen: "no" }, /failOpen must be true or false, got a string of 2 characters/],
    [{ onError: "log" }, /onError must be a function, e\.g\. onError: \(error, req\) =>/],
    [{ skip: true }, /skip must be a function, e\.g\. skip: \(req\) => defaultSkip\(req\)/],
    [{ sticky: "yes" }, /sticky must be false, or an object such as \{ ttlSeconds: 1800 \}/],
    [{ sticky: { cookieName: "my cookie" } }, /sticky\.cookieName must be a cookie name such as "ringpool_visitor"/],
    [
      { sticky: { ttlSeconds: -1 } },
      /sticky\.ttlSeconds must be a positive number of seconds, at most the pool's lifetime_seconds/
    ],
    [
      { sticky: { store: { get: () => undefined } } },
      /sticky\.store must have get\(key\), set\(key, value, ttlSeconds\) and delete\(key\)/
    ]
  ]
  for (const [options, message] of cases) {
    let thrown: unknown
    try {
      create(options)()
    } catch (error) {
      thrown = error
    }
    expect(thrown, JSON.stringify(options)).toBeInstanceOf(TypeError)
    expect((thrown as Error).message, JSON.stringify(Object.keys(options))).toMatch(message)
    expect((thrown as Error).message).toMatch(/^ringPool\(\): /)
    expect((thrown as Error).message).not.toContain("secret-pool-key")
  }
})

it("a pool without a key needs a client or RINGPOOL_KEY", () => {
  const saved = process.env.RINGPOOL_KEY
  delete process.env.RINGPOOL_KEY
  try {
    expect(() => ringPool({ pool: { id: "123", key: process.env.RINGPOOL_KEY }, params: { m1: "" } })).toThrow(
      'ringPool(): pool.key is missing: write pool: { id: "123", key: process.env.RINGPOOL_KEY } and set RINGPOOL_KEY, or pass the key itself'
    )
    // A client of the user's may carry a default key.
    expect(() => ringPool({ pool: { id: "123" }, params: { m1: "" }, client })).not.toThrow()
  } finally {
    if (saved !== undefined) process.env.RINGPOOL_KEY = saved
  }
})

it("memoryStore checks its bound", () => {
  expect(() => memoryStore({ max: 0 })).toThrow("memoryStore(): max must be a positive integer such as 10000, got 0")
})

it("the default onError warns once, then at most once per interval with the number of failures since", () => {
  const lines: Array<string> = []
  const report = consoleReporter((line) => lines.push(line), 60_000)
  const req = {} as Parameters<typeof report>[1]
  report(new Error("No answer within 250 ms"), req)
  report(new Error("No answer within 250 ms"), req)
  report(new Error("No answer within 250 ms"), req)
  expect(lines).toEqual(["@ringpool/express: No answer within 250 ms"])
  const immediate = consoleReporter((line) => lines.push(line), 0)
  immediate(new Error("first"), req)
  immediate(new Error("second"), req)
  expect(lines.slice(1)).toEqual(["@ringpool/express: first", "@ringpool/express: second"])
})
