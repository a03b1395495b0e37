// The core under attack: hostile servers that quote keys in every form and in part, malformed requests, hostile
// iterables, shared abort signals, many concurrent aborts and timeouts. Each case checks that every row gets exactly
// one outcome, that no piece of a key reaches any text a user or a log could see, and that nothing escapes as an
// unhandled rejection.
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Logger, Tracer } from "effect"
import { expect } from "vitest"
import { ApiSuffix, createRingPoolClient, type Outcome, RingPoolClient, RingPoolError } from "../../src/index.ts"
import { readBody } from "../support/bodies.ts"
import { failOnUnhandledRejections, recordingTracer } from "../support/observe.ts"
import { allocateEach, type StubAnswer, stubLayer } from "../support/stubService.ts"

const KEY = "KEY-SECRET-7d1f09a2 b4+c/e"

/** Every 6-character piece of every form the key takes in a URL, a form or a message. */
const piecesOf = (key: string): Array<string> => {
  const forms = new Set([key, encodeURIComponent(key), ApiSuffix.encode(key), key.replace(/ /g, "+")])
  for (const form of [...forms]) forms.add(form.replace(/%[0-9A-F]{2}/g, (t) => t.toLowerCase()))
  const pieces = new Set<string>()
  for (const form of forms) for (let i = 0; i + 6 <= form.length; i++) pieces.add(form.slice(i, i + 6))
  return [...pieces]
}
const pieces = piecesOf(KEY)

const assertNoKey = (texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    for (const piece of pieces) {
      if (text.includes(piece)) assert.fail(`a piece of the key (${JSON.stringify(piece)}) leaked into: ${text}`)
    }
  }
}

/** Everything a user, a log or a report could show of an error. */
const textsOf = (error: unknown): Array<string> => {
  const e = error as Error
  return [e.message, String(e), JSON.stringify(e), e.stack ?? "", inspect(e, { depth: 10 })]
}

const outcomeTexts = (outcomes: ReadonlyArray<Outcome.Outcome>) =>
  outcomes.flatMap((o) => (o.ok ? [JSON.stringify(o.allocation)] : textsOf(o.error)))

failOnUnhandledRejections()

/** A service on a real port that answers every bulk call with `reply(body)`. */
const hostileService = async (reply: (body: string) => { status?: number; text: string }) => {
  const server: Server = createServer((req, res) => {
    readBody(req, (body) => {
      const answer = reply(body)
      res.writeHead(answer.status ?? 200, { "content-type": "text/plain" })
      res.end(answer.text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** The well-behaved answer: every row its own number (see `allocateEach`). */
const eachRowItsNumber = (body: string) => {
  const answer = allocateEach({ rows: (JSON.parse(body) as { requests: [] }).requests }) as { body: unknown }
  return { text: JSON.stringify(answer.body) }
}

const row = (n: number, key = KEY) => ({ ringPoolId: "9", ringPoolKey: key, params: { n: String(n) } })

describe("a server's text never carries a key out", () => {
  const encoded = ApiSuffix.encode(KEY)
  const quoting: Array<[string, string]> = [
    ["the key across the 200-character cut", `${"x".repeat(190)}${KEY}${"y".repeat(50)}`],
    ["the key percent-encoded", `bad key ${encoded}`],
    ["the key percent-encoded in lower case", `bad key ${encoded.replace(/%[0-9A-F]{2}/g, (t) => t.toLowerCase())}`],
    ["the key with + for spaces", `bad key ${KEY.replace(/ /g, "+")}`],
    ["a piece of the key, cut by the server", `bad key ${KEY.slice(3, 12)}...`],
    ["the key as the 200th character", `${"x".repeat(199)}${KEY}`]
  ]
  for (const [name, text] of quoting) {
    for (const status of [200, 418]) {
      it(`${name}, in a ${status} answer`, async () => {
        const service = await hostileService(() => ({ status, text }))
        const client = createRingPoolClient({ baseUrl: service.url, retry: false })
        const outcomes = await client.allocateAll([row(1), row(2)])
        expect(outcomes.map((o) => o.ok)).toEqual([false, false])
        assertNoKey(outcomeTexts(outcomes))
        await client.close()
        await service.close()
      })
    }
  }

  it("in a row's own message, in an error body, in an echoed request_id: each masked", async () => {
    const service = await hostileService((body) => {
      const requests = (JSON.parse(body) as { requests: Array<{ request_id: string }> }).requests
      return {
        text: JSON.stringify({
          responses: requests.map((r, i) =>
            i === 0
              ? { request_id: r.request_id, error_class: `Bad${KEY}`, message: `API Key ${encoded} is not ${KEY}` }
              : { request_id: r.request_id, error_class: "InvalidKey", message: `key ${KEY.slice(0, 8)}` }
          )
        })
      }
    })
    const client = createRingPoolClient({ baseUrl: service.url, retry: false })
    const outcomes = await client.allocateAll([row(1), row(2)])
    expect(outcomes.map((o) => !o.ok && o.error.reason._tag)).toEqual(["Rejected", "Rejected"])
    assertNoKey(outcomeTexts(outcomes))
    await client.close()
    await service.close()
    const mismatch = await hostileService(() => ({ text: JSON.stringify({ responses: [{ request_id: KEY }] }) }))
    const other = createRingPoolClient({ baseUrl: mismatch.url, retry: false })
    const swapped = await other.allocateAll([row(1)])
    expect(swapped.map((o) => !o.ok && o.error.reason._tag)).toEqual(["InvalidResponse"])
    assertNoKey(outcomeTexts(swapped))
    await other.close()
    await mismatch.close()
  })

  it("in an allocation's own fields: the tracking URL is masked, a number that is not one fails its row", async () => {
    const service = await hostileService((body) => {
      const requests = (JSON.parse(body) as { requests: Array<{ request_id: string }> }).requests
      const rows = [
        { tracking_url: `https://t.test/c?k=${encoded}&v=${KEY.slice(4, 14)}`, promo_number: "8005550100" },
        { tracking_url: "https://t.test/c/1", promo_number: KEY },
        { tracking_url: "https://t.test/c/2", promo_number: "8005550102", promo_number_formatted: `800 ${KEY}` },
        { tracking_url: "https://t.test/c/3?sid=8005550103", promo_number: "8005550103" }
      ]
      return {
        text: JSON.stringify({
          responses: requests.map((r, i) => ({
            request_id: r.request_id,
            promo_number_formatted: "800-555-0100",
            ...rows[i]
          }))
        })
      }
    })
    const client = createRingPoolClient({ baseUrl: service.url, retry: false })
    const outcomes = await client.allocateAll([row(1), row(2), row(3), row(4)])
    expect(outcomes.map((o) => (o.ok ? "allocated" : o.error.reason._tag))).toEqual([
      "allocated",
      "InvalidResponse",
      "InvalidResponse",
      "allocated"
    ])
    assertNoKey(outcomeTexts(outcomes))
    // An honest tracking URL comes through untouched.
    expect(outcomes[3]!.ok && outcomes[3]!.allocation.trackingUrl).toBe("https://t.test/c/3?sid=8005550103")
    await client.close()
    await service.close()
  })

  it("another row's key, quoted in this row's message, is masked too", async () => {
    const other = "OTHER-POOL-KEY-55aa"
    const service = await hostileService((body) => {
      const requests = (JSON.parse(body) as { requests: Array<{ request_id: string }> }).requests
      return {
        text: JSON.stringify({
          responses: requests.map((r) => ({ request_id: r.request_id, error_class: "X", message: `${other} ${KEY}` }))
        })
      }
    })
    const client = createRingPoolClient({ baseUrl: service.url, retry: false })
    const outcomes = await client.allocateAll([row(1), row(2, other)])
    assertNoKey(outcomeTexts(outcomes))
    for (const text of outcomeTexts(outcomes)) expect(text).not.toContain(other.slice(0, 10))
    await client.close()
    await service.close()
  })

  it.effect("nor reaches logs or span attributes through the Effect face", () => {
    const logs: Array<string> = []
    const { tracer, spans } = recordingTracer()
    const stub = stubLayer(() => ({ status: 503, body: `${"z".repeat(195)}${KEY}` }))
    return Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const error = yield* Effect.flip(client.allocate(row(1)))
      yield* Effect.logError(error)
      const texts = [...textsOf(error), ...logs]
      for (const span of spans) texts.push(JSON.stringify([...span.attributes.entries()]), inspect(span.status))
      assert.isAbove(spans.length, 0)
      assertNoKey(texts)
    }).pipe(
      Effect.provide(
        RingPoolClient.layer({ retry: false }).pipe(
          Layer.provide(stub.layer),
          Layer.provide(Layer.succeed(Tracer.Tracer, tracer))
        )
      ),
      Effect.provide(Logger.layer([Logger.make((options) => logs.push(inspect(options.message, { depth: 10 })))]))
    )
  })
})

describe("malformed requests fail their own row, before any I/O", () => {
  const throwing = {
    ringPoolId: "9",
    ringPoolKey: KEY,
    get params(): Record<string, string> {
      throw new Error(`boom ${KEY}`)
    }
  }
  const malformed: Array<[string, unknown]> = [
    ["params [null]", { ...row(1), params: [null] }],
    ["params [1]", { ...row(1), params: [1] }],
    ['params ["m1=autos"]', { ...row(1), params: ["m1=autos"] }],
    ["params [[name, value, extra]]", { ...row(1), params: [["m1", "a", "b"]] }],
    ["params with a number value", { ...row(1), params: { m1: 5 } }],
    ["a params getter that throws", throwing],
    ["a request that is a string", "9/allocate_number.json?m1=a"],
    ["a param named ring%5Fpool%5Fkey", { ...row(1), params: { "ring%5Fpool%5Fkey": "x" } }],
    // The message quotes a parameter's name: the key pasted as one is masked in it.
    ["a param named like the key, with a number value", { ...row(1), params: { [KEY]: 5 } }],
    ["a ring pool id with a lone surrogate", { ...row(1), ringPoolId: "12\ud800" }],
    // `../allocate_number.json` would name another resource than a pool's.
    ["a ring pool id of ..", { ...row(1), ringPoolId: ".." }],
    // No key is that long; its masking tables would cost megabytes.
    ["a key of 300 characters", { ...row(1), ringPoolKey: KEY.repeat(300).slice(0, 300) }],
    ["a ring pool id of .", { ...row(1), ringPoolId: "." }],
    ["a key with a lone surrogate", { ...row(1), ringPoolKey: `${KEY}\udc00` }],
    ["a param named like the key, with a lone surrogate", { ...row(1), params: { [`x${KEY}`]: "\ud800" } }],
    ["null", null]
  ]

  it("allocateAll gives each its InvalidRequest and allocates the valid rows around them, never rejecting", async () => {
    const stub = await hostileService(eachRowItsNumber)
    const client = createRingPoolClient({ baseUrl: stub.url })
    const requests = [row(1), ...malformed.map(([, request]) => request), row(2)]
    const outcomes = await client.allocateAll(requests as never)
    expect(outcomes).toHaveLength(requests.length)
    const numberOf = (outcome: Outcome.Outcome | undefined) =>
      outcome?.ok ? outcome.allocation.promoNumber : undefined
    expect(numberOf(outcomes[0])).toBe("8000000001")
    expect(numberOf(outcomes.at(-1))).toBe("8000000002")
    const middle = outcomes.slice(1, -1)
    expect(middle.map((o) => !o.ok && o.error.reason._tag)).toEqual(malformed.map(() => "InvalidRequest"))
    assertNoKey(outcomeTexts(outcomes))
    // The string request was not sent as "m=1" or anything else: two rows went out, the valid ones.
    expect(client.stats().rows).toBe(2)
    await client.close()
    await stub.close()
  })

  for (const [name, request] of malformed) {
    it.effect(`${name}: the Effect face fails with InvalidRequest, not a defect`, () => {
      const stub = stubLayer(allocateEach)
      return Effect.gen(function* () {
        const client = yield* RingPoolClient.RingPoolClient
        const exit = yield* Effect.exit(client.allocate(request as never))
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
        assert.strictEqual(error?._tag, "Fail")
        const failure = error?._tag === "Fail" ? (error.error as RingPoolError.RingPoolError) : undefined
        assert.strictEqual(failure?.reason._tag, "InvalidRequest")
        assertNoKey(textsOf(failure))
        assert.strictEqual(stub.calls.length, 0)
      }).pipe(Effect.provide(RingPoolClient.layer().pipe(Layer.provide(stub.layer))))
    })
  }

  it("an iterable that throws, or none at all: the rows before it are submitted, then one InvalidRequest", async () => {
    const stub = await hostileService(eachRowItsNumber)
    const client = createRingPoolClient({ baseUrl: stub.url })
    function* rows() {
      yield row(1)
      yield row(2)
      throw new Error(`iterator broke ${KEY}`)
    }
    const outcomes = await client.allocateAll(rows())
    expect(outcomes.map((o) => (o.ok ? o.allocation.promoNumber : o.error.reason._tag))).toEqual([
      "8000000001",
      "8000000002",
      "InvalidRequest"
    ])
    assertNoKey(outcomeTexts(outcomes))
    for (const nothing of [null, 42, { length: 2 }]) {
      const [only] = await client.allocateAll(nothing as never)
      expect(!only!.ok && only!.error.reason._tag).toBe("InvalidRequest")
    }
    await client.close()
    await stub.close()
  })
})

describe("a server that makes up error classes", () => {
  it("grows no counter per class: past 50 classes, rows are counted as other", async () => {
    let call = 0
    const service = await hostileService((body) => {
      const requests = (JSON.parse(body) as { requests: Array<{ request_id: string }> }).requests
      const responses = requests.map((r, i) => ({
        request_id: r.request_id,
        error_class: `MadeUp${call}x${i}`,
        message: "no"
      }))
      call++
      return { text: JSON.stringify({ responses }) }
    })
    const client = createRingPoolClient({ baseUrl: service.url, retry: false, maxBatchSize: 100 })
    const outcomes = await client.allocateAll(Array.from({ length: 300 }, (_, i) => row(i)))
    expect(outcomes.every((o) => !o.ok && o.error.reason._tag === "Rejected")).toBe(true)
    const rejected = client.stats().rejected
    expect(Object.keys(rejected).length).toBeLessThanOrEqual(51)
    expect(Object.values(rejected).reduce((a, b) => a + b, 0)).toBe(300)
    expect(rejected.other).toBeGreaterThanOrEqual(250)
    await client.close()
    await service.close()
  })
})

describe("the ones that held, kept holding", () => {
  it("one signal shared by many calls adds one listener", async () => {
    const service = await hostileService(eachRowItsNumber)
    const client = createRingPoolClient({ baseUrl: service.url })
    const controller = new AbortController()
    const warnings: Array<Error> = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on("warning", onWarning)
    try {
      const calls = Array.from({ length: 50 }, (_, n) => client.allocate(row(n), { signal: controller.signal }))
      expect((await Promise.all(calls)).length).toBe(50)
      const pending = Array.from({ length: 50 }, (_, n) => client.allocate(row(n), { signal: controller.signal }))
      controller.abort(new Error("stop"))
      const settled = await Promise.allSettled(pending)
      expect(settled.every((s) => s.status === "rejected")).toBe(true)
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([])
    } finally {
      process.off("warning", onWarning)
      await client.close()
      await service.close()
    }
  })

  it("10,000 concurrent calls with aborts and timeouts: each settles exactly once", async () => {
    const service = await hostileService(eachRowItsNumber)
    const client = createRingPoolClient({ baseUrl: service.url })
    const controller = new AbortController()
    let settledTwice = 0
    const calls = Array.from({ length: 10_000 }, (_, n) => {
      let settled = 0
      const options = n % 3 === 0 ? { signal: controller.signal } : n % 3 === 1 ? { timeoutMs: 1 } : {}
      return client.allocate(row(n), options).then(
        (allocation) => {
          if (++settled > 1) settledTwice++
          return allocation.promoNumber === String(8_000_000_000 + n) ? "right" : "WRONG"
        },
        (error: unknown) => {
          if (++settled > 1) settledTwice++
          return error instanceof RingPoolError.RingPoolError ? error.reason._tag : "aborted"
        }
      )
    })
    setTimeout(() => controller.abort(new Error("stop")), 1)
    const results = await Promise.all(calls)
    expect(results).toHaveLength(10_000)
    expect(results).not.toContain("WRONG")
    for (const result of new Set(results)) expect(["right", "Timeout", "aborted"]).toContain(result)
    expect(settledTwice).toBe(0)
    await client.close()
    await service.close()
  })

  it("answers that do not line up never hand a number to the wrong row", async () => {
    const answers: Array<(ids: Array<string>) => unknown> = [
      (ids) => ({
        responses: ids.map((id) => ({ request_id: id, promo_number: "1", promo_number_formatted: "1" })).reverse()
      }),
      (ids) => ({
        responses: ids.slice(1).map((id) => ({ request_id: id, promo_number: "1", promo_number_formatted: "1" }))
      }),
      (ids) => ({
        responses: [...ids, "extra"].map((id) => ({ request_id: id, promo_number: "1", promo_number_formatted: "1" }))
      }),
      (ids) => ({ responses: ids.map((id) => ({ request_id: id, promo_number: 5, promo_number_formatted: "1" })) }),
      (ids) => ({ responses: ids.map(() => ({ promo_number: "1", promo_number_formatted: "1" })) }),
      () => ({ responses: { __proto__: { length: 2 } } }),
      () => JSON.parse('{"__proto__":{"responses":[]}}')
    ]
    for (const answer of answers) {
      const service = await hostileService((body) => {
        const ids = (JSON.parse(body) as { requests: Array<{ request_id: string }> }).requests.map((r) => r.request_id)
        return { text: JSON.stringify(answer(ids)) }
      })
      const client = createRingPoolClient({ baseUrl: service.url, retry: false })
      const outcomes = await client.allocateAll([row(1), row(2), row(3)])
      expect(outcomes.map((o) => o.ok)).toEqual([false, false, false])
      await client.close()
      await service.close()
    }
  })

  it("an answer of tiny JSON values, which would take 5 to 50 times its bytes once parsed, is refused unparsed", async () => {
    const hostile = [
      `{"responses":[${"[".repeat(500_000)}${"]".repeat(500_000)}]}`,
      `{"responses":[${"{},".repeat(300_000)}{}]}`,
      `[${"[],".repeat(300_000)}[]]`,
      `{"responses":["",${"-0,".repeat(600_000)}0]}`
    ]
    for (const text of hostile) {
      const service = await hostileService(() => ({ text }))
      const client = createRingPoolClient({ baseUrl: service.url, retry: false })
      const heapBefore = process.memoryUsage().heapUsed
      const outcomes = await client.allocateAll([row(1), row(2)])
      expect(outcomes.map((o) => !o.ok && o.error.reason._tag)).toEqual(["InvalidResponse", "InvalidResponse"])
      expect(!outcomes[0]!.ok && outcomes[0]!.error.reason.message).toMatch(
        /holds more objects, arrays or values than 2 rows/
      )
      // Parsed, the first would be about 50 MB of arrays.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024)
      await client.close()
      await service.close()
    }
  })

  it("a call of 1,000 rows gets no more room for tiny values than a small one", async () => {
    const text = `{"responses":[${"[".repeat(400_000)}${"]".repeat(400_000)}]}`
    const service = await hostileService(() => ({ text }))
    const client = createRingPoolClient({ baseUrl: service.url, retry: false, maxBatchSize: 1_000 })
    const outcomes = await client.allocateAll(Array.from({ length: 1_000 }, (_, i) => row(i)))
    expect(new Set(outcomes.map((o) => !o.ok && o.error.reason._tag))).toEqual(new Set(["InvalidResponse"]))
    expect(client.stats().bulkCalls).toBe(1)
    await client.close()
    await service.close()
  })

  it("a bulk answer with long rows (past the size that is checked first) still allocates", async () => {
    const long = "x".repeat(30_000)
    const service = await hostileService((body) => {
      const answered = JSON.parse(eachRowItsNumber(body).text) as { responses: Array<Record<string, unknown>> }
      for (const response of answered.responses) {
        response.tracking_url = `https://t.test/${long}`
        // A field the service may add, nested: ignored, and no reason to refuse the answer.
        response.meta = { source: { tags: ["a", "b"], weight: 1 } }
      }
      return { text: JSON.stringify(answered) }
    })
    const client = createRingPoolClient({ baseUrl: service.url, retry: false })
    const outcomes = await client.allocateAll([row(1), row(2), row(3)])
    expect(outcomes.map((o) => o.ok && o.allocation.trackingUrl?.length)).toEqual([30_015, 30_015, 30_015])
    await client.close()
    await service.close()
  })

  it.effect("a huge streamed answer through an HttpClient fails at maxResponseBytes", () => {
    const huge: StubAnswer = { body: `{"responses":[${"0,".repeat(600_000)}0]}` }
    const stub = stubLayer(() => huge)
    return Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const [outcome] = yield* client.allocateAll([row(1)])
      assert.strictEqual(!outcome!.ok && outcome!.error.reason._tag, "InvalidResponse")
    }).pipe(Effect.provide(RingPoolClient.layer({ maxResponseBytes: 64 * 1024 }).pipe(Layer.provide(stub.layer))))
  })
})
