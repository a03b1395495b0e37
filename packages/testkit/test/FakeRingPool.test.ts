import { assert, describe, it } from "@effect/vitest"
import { RingPoolClient } from "@ringpool/core"
import { Effect, Fiber, Layer, Stream } from "effect"
import { HttpBody, HttpClient, HttpClientError, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { FakeRingPool, FakeRingPoolServer } from "../src/index.ts"
import { postBulk } from "./support/http.ts"
import { vectors } from "./support/vectors.ts"

const pools = [{ id: "1", key: "k", size: 2, lifetimeSeconds: 60 }]
const row = (id: string) => ({ ringPoolId: "1", ringPoolKey: "k", params: { visit: id }, requestId: id })

/** Lets real time pass (the client gathers rows on the event loop), without moving the test's clock. */
const realTick = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))

describe("FakeRingPool.layerClient: the core client on the in-process fake, time from TestClock", () => {
  it.effect("reuses a number after lifetimeSeconds, least recently allocated first, as TestClock moves", () =>
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const fake = yield* FakeRingPool.FakeRingPool
      const [a, b] = yield* Effect.all([client.allocate(row("a")), client.allocate(row("b"))], { concurrency: 2 })
      assert.notStrictEqual(a.promoNumber, b.promoNumber)
      assert.isTrue((yield* client.allocate(row("c"))).overflow)
      yield* TestClock.adjust("59999 millis")
      assert.isTrue((yield* client.allocate(row("d"))).overflow)
      yield* TestClock.adjust("1 millis")
      const e = yield* client.allocate(row("e"))
      const f = yield* client.allocate(row("f"))
      assert.deepStrictEqual(
        [e.promoNumber, f.promoNumber].sort(),
        [a.promoNumber, b.promoNumber].sort(),
        "both numbers came back after 60 s"
      )
      assert.strictEqual(
        e.promoNumber,
        (yield* fake.allocations)[0]!.promoNumber,
        "the first allocated came back first"
      )
      assert.deepStrictEqual(
        (yield* fake.allocations).map((record) => [record.requestId, record.at]),
        [
          ["a", 0],
          ["b", 0],
          ["c", 0],
          ["d", 59_999],
          ["e", 60_000],
          ["f", 60_000]
        ]
      )
      // Attribution: the number of e belonged to a until e took it.
      assert.strictEqual((yield* fake.attribute(e.promoNumber, 59_999))?.requestId, "a")
      assert.strictEqual((yield* fake.attribute(e.promoNumber))?.requestId, "e")
    }).pipe(Effect.provide(FakeRingPool.layerClient({ pools })))
  )

  it.effect("holds an answer for an injected delay until TestClock passes it", () =>
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const fake = yield* FakeRingPool.FakeRingPool
      yield* fake.inject({ fault: "delay", ms: 2_000 })
      const fiber = yield* Effect.forkChild(client.allocate(row("slow")))
      while ((yield* fake.calls).length === 0) yield* realTick
      yield* realTick
      assert.isUndefined(fiber.pollUnsafe(), "answered before the delay passed")
      yield* TestClock.adjust("2 seconds")
      const allocation = yield* Fiber.join(fiber)
      assert.strictEqual(allocation.requestId, "slow")
      assert.strictEqual((yield* fake.allocations)[0]!.at, 0, "allocated when the call arrived")
    }).pipe(Effect.provide(FakeRingPool.layerClient({ pools })))
  )
})

describe("FakeRingPool.layer: the in-process HttpClient", () => {
  const bulkUrl = "https://pnapi.invoca.net/api/2013-07-01/bulk.json"
  const seedPools = [{ id: "<RING_POOL_ID>", key: "<RING_POOL_KEY>", size: 2 }]

  it.effect("answers any body form with the same wire answer as the port", () =>
    Effect.gen(function* () {
      const http = yield* HttpClient.HttpClient
      const text = JSON.stringify(vectors.request)
      const bodies = [
        HttpBody.text(text, "application/json"),
        HttpBody.raw(text),
        HttpBody.stream(Stream.make(new TextEncoder().encode(text)))
      ]
      for (const body of bodies) {
        const response = yield* http.execute(HttpClientRequest.post(bulkUrl).pipe(HttpClientRequest.setBody(body)))
        assert.strictEqual(response.status, 200)
        assert.isTrue(Number.isFinite(Number(response.headers["processing-time"])))
        const json = (yield* response.json) as { responses: Array<Record<string, unknown>> }
        assert.deepStrictEqual(
          json.responses.map((r) => r.request_id),
          vectors.request.requests.map((r) => r.request_id)
        )
      }
      const single = yield* http.get("https://pnapi.invoca.net/api/2015-12-09/ring_pools/1/allocate_number.json")
      assert.strictEqual(single.status, 403)
      assert.deepStrictEqual(yield* single.json, vectors.onlyBulkError)
    }).pipe(Effect.provide(FakeRingPool.layer({ pools: seedPools })))
  )

  it.effect("fails a dropped call with a connection-reset TransportError", () =>
    Effect.gen(function* () {
      const http = yield* HttpClient.HttpClient
      const fake = yield* FakeRingPool.FakeRingPool
      yield* fake.inject({ fault: "drop" })
      const error = yield* Effect.flip(
        http.execute(HttpClientRequest.post(bulkUrl).pipe(HttpClientRequest.bodyText(JSON.stringify(vectors.request))))
      )
      assert.instanceOf(error, HttpClientError.HttpClientError)
      assert.strictEqual(error.reason._tag, "TransportError")
      assert.strictEqual((error.reason as { cause?: { code?: string } }).cause?.code, "ECONNRESET")
      assert.strictEqual((yield* fake.allocations).length, 3, "the rows were allocated before the drop")
    }).pipe(Effect.provide(FakeRingPool.layer({ pools: seedPools })))
  )

  it.effect("reset clears faults, logs and pools", () =>
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const fake = yield* FakeRingPool.FakeRingPool
      const first = yield* client.allocate(row("a"))
      yield* fake.inject({ fault: "status", status: 500, times: "always" })
      yield* fake.reset
      assert.deepStrictEqual([(yield* fake.allocations).length, (yield* fake.calls).length], [0, 0])
      assert.strictEqual((yield* client.allocate(row("b"))).promoNumber, first.promoNumber)
    }).pipe(Effect.provide(FakeRingPool.layerClient({ pools })))
  )
})

describe("FakeRingPoolServer.layer: the same fake on a port", () => {
  it.live("shares one state between the in-process client and the port", () =>
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const fake = yield* FakeRingPool.FakeRingPool
      const server = yield* FakeRingPoolServer.Address
      const inProcess = yield* client.allocate(row("in-process"))
      const answer = yield* Effect.promise(() =>
        postBulk(server.url, {
          requests: [{ api_suffix: "1/allocate_number.json?ring_pool_key=k&visit=port", request_id: "port" }]
        })
      )
      const overPort = (JSON.parse(answer.text) as { responses: Array<{ promo_number: string }> }).responses[0]!
      assert.notStrictEqual(overPort.promo_number, inProcess.promoNumber)
      assert.deepStrictEqual(
        (yield* fake.allocations).map((record) => record.requestId),
        ["in-process", "port"]
      )
    }).pipe(
      Effect.provide(
        Layer.mergeAll(FakeRingPoolServer.layer(), RingPoolClient.layer()).pipe(
          Layer.provideMerge(FakeRingPool.layer({ pools }))
        )
      )
    )
  )
})

describe("FakeRingPool.make: bodies past maxRequestBytes", () => {
  const status = (answer: FakeRingPool.FakeAnswer) => (answer._tag === "Respond" ? answer.status : "dropped")
  const bulk = (fake: FakeRingPool.Fake, body: string | Uint8Array | typeof FakeRingPool.bodyTooLarge) =>
    status(fake.handle("POST", "/api/2013-07-01/bulk.json", body, 0))

  it("counts a text's UTF-8 bytes, not its length, and bytes as they are", () => {
    const fake = FakeRingPool.make({ pools, maxRequestBytes: 30, onUnexpectedRequest: () => {} })
    // 12 characters either way: 24 bytes of "é" fit in 30, 36 bytes of "€" do not.
    assert.strictEqual(bulk(fake, "é".repeat(12)), 400)
    assert.strictEqual(bulk(fake, "€".repeat(12)), 413)
    assert.strictEqual(bulk(fake, new TextEncoder().encode("€".repeat(11))), 413)
    assert.strictEqual(bulk(fake, FakeRingPool.bodyTooLarge), 413)
    const [call] = fake.calls()
    assert.deepStrictEqual([call!.status, call!.error?.class, call!.rows], [400, "InvalidJson", []])
    assert.deepStrictEqual(
      fake.calls().map((c) => c.error?.class),
      ["InvalidJson", "RequestTooLarge", "RequestTooLarge", "RequestTooLarge"]
    )
    // Only the bulk call reads a body: the single API's URL and unknown paths answer as ever.
    assert.strictEqual(status(fake.handle("GET", "/api/x/ring_pools/1/allocate_number.json", "€".repeat(12), 0)), 403)
  })
})
