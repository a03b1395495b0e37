import { inspect } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Metric, Tracer } from "effect"
import { RingPoolClient } from "../src/index.ts"
import { recordingTracer } from "./support/observe.ts"
import { type StubAnswer, stubLayer } from "./support/stubService.ts"
import { transports } from "./support/transports.ts"

const KEY = "SECRET-KEY-9F3A2B"

// Every way a row can fail, each answered the way the service (or a broken network) would, quoting the key where it can.
const answers: Array<[string, StubAnswer]> = [
  [
    "InvalidKey row",
    {
      body: {
        responses: [
          { request_id: "r1", error_class: "InvalidKey", message: `API Key '${KEY}' is not valid for resource '1'` }
        ]
      }
    }
  ],
  [
    "500 body quoting the key",
    { status: 500, body: { errors: { class: "InternalServiceError", invalid_data: `bad key ${KEY}` } } }
  ],
  ["plain 418 quoting the key", { status: 418, body: `no such key ${KEY}` }],
  ["not JSON quoting the key", { body: `<html>${KEY}</html>` }],
  ["mismatch", { body: { responses: [] } }],
  ["reset", { fail: "reset" }]
]

describe("the ring pool key never leaks", () => {
  for (const [name, answer] of answers)
    for (const transport of transports) {
      it.effect(`${name}, over ${transport.name}: not in the message, toString, JSON, logs or span attributes`, () => {
        const logs: Array<string> = []
        const { tracer, spans } = recordingTracer()
        const logger = Logger.make((options) => {
          logs.push(JSON.stringify(options.message))
        })
        const service = transport.client(() => answer, { retry: false })
        const client = service.layer.pipe(Layer.provide(Layer.succeed(Tracer.Tracer, tracer)))
        return Effect.gen(function* () {
          const ringPool = yield* RingPoolClient.RingPoolClient
          const error = yield* Effect.flip(
            ringPool.allocate({ ringPoolId: "1", ringPoolKey: KEY, params: { m1: "x" }, requestId: "r1" })
          )
          yield* Effect.logError(error)
          const texts = [error.message, String(error), JSON.stringify(error), error.stack ?? "", ...logs]
          for (const span of spans) texts.push(JSON.stringify([...span.attributes.entries()]), span.name)
          assert.isAbove(spans.length, 0)
          // Our span per bulk call, and no HTTP client span (whose propagation headers would reach the vendor).
          assert.deepStrictEqual([...new Set(spans.map((span) => span.name))], ["RingPoolClient.bulkCall"])
          assert.isAbove(logs.length, 0)
          for (const text of texts) assert.notInclude(text, KEY)
          // The key was really sent: masking happens on the way back, not by leaving it out.
          assert.include(service.calls[0]!.rows[0]!.api_suffix, KEY)
        }).pipe(Effect.provide(client), Effect.provide(Logger.layer([logger])))
      })
    }
})

describe("a key from another call", () => {
  const DEFAULT = "DEFAULT-KEY-77C1D4"
  const ROW = "ROW-KEY-0B9E6A21"
  for (const transport of transports) {
    it.effect(`echoed by the service in a later call is masked too, over ${transport.name}`, () => {
      // The second call's rows have their own key: the service quotes the keys it saw in the first call.
      const service = transport.client(
        (call, index) =>
          index === 0
            ? {
                body: {
                  responses: call.rows.map((row) => ({
                    request_id: row.request_id,
                    error_class: "InvalidKey",
                    message: "no"
                  }))
                }
              }
            : {
                body: {
                  responses: call.rows.map((row) => ({
                    request_id: row.request_id,
                    error_class: `Bad${ROW.slice(4)}`,
                    message: `earlier keys: ${DEFAULT} ${ROW} ${encodeURIComponent(DEFAULT)}`
                  }))
                }
              },
        { retry: false, defaultKey: DEFAULT, maxBatchSize: 1 }
      )
      return Effect.gen(function* () {
        const ringPool = yield* RingPoolClient.RingPoolClient
        yield* ringPool.allocateAll([
          { ringPoolId: "1", params: { m1: "default" }, requestId: "a" },
          { ringPoolId: "1", ringPoolKey: ROW, params: { m1: "row" }, requestId: "b" }
        ])
        const [later] = yield* ringPool.allocateAll([
          { ringPoolId: "1", ringPoolKey: "THIRD-KEY-5521AF", params: { m1: "x" }, requestId: "c" }
        ])
        assert.strictEqual(service.calls.length, 3)
        assert.isFalse(later!.ok)
        const text = JSON.stringify(later) + (later!.ok ? "" : later!.error.message)
        assert.include(text, "earlier keys")
        for (const piece of [DEFAULT, ROW, DEFAULT.slice(2, 10), ROW.slice(4, 12)]) assert.notInclude(text, piece)
      }).pipe(Effect.provide(service.layer))
    })
  }
})

describe("an error handle made of a key's digits", () => {
  const KEY = "A3F9274819365B0C"
  for (const transport of transports) {
    it.effect(`is not taken as the handle, over ${transport.name}`, () => {
      const service = transport.client(
        () => ({
          status: 500,
          body: { errors: { class: "InternalServiceError", invalid_data: "refer to error handle 9274819365" } }
        }),
        { retry: false }
      )
      return Effect.gen(function* () {
        const ringPool = yield* RingPoolClient.RingPoolClient
        const error = yield* Effect.flip(
          ringPool.allocate({ ringPoolId: "1", ringPoolKey: KEY, params: { m1: "x" }, requestId: "r1" })
        )
        assert.strictEqual(error.reason._tag, "ServiceError")
        if (error.reason._tag !== "ServiceError") return
        assert.isUndefined(error.reason.errorHandle)
        for (const text of [error.message, JSON.stringify(error), inspect(error)]) assert.notInclude(text, "927481")
      }).pipe(Effect.provide(service.layer))
    })
  }
})

describe("metrics", () => {
  it.effect("captures processing-time and counts rows by outcome", () => {
    const stub = stubLayer(() => ({
      headers: { "processing-time": "12.5" },
      body: {
        responses: [
          { request_id: "a", promo_number: "8005550100", promo_number_formatted: "800-555-0100" },
          { request_id: "b", promo_number: "8005550199", promo_number_formatted: "800-555-0199", overflow: true },
          { request_id: "c", error_class: "InvalidKey", message: "API Key 'k' is not valid for resource '1'" }
        ]
      }
    }))
    return Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const rows = ["a", "b", "c"].map((id) => ({
        ringPoolId: "1",
        ringPoolKey: "k",
        params: { m1: id },
        requestId: id
      }))
      yield* client.allocateAll(rows)
      const stats = yield* client.stats
      assert.deepStrictEqual(stats, {
        bulkCalls: 1,
        rows: 3,
        allocated: 1,
        overflow: 1,
        rejected: { InvalidKey: 1 },
        failed: {},
        processingTimeMs: 12.5
      })
      const snapshot = yield* Metric.snapshot
      const find = (id: string, attributes: Record<string, string> = {}) =>
        snapshot.find(
          (m) =>
            m.id === id &&
            Object.entries(attributes).every(
              ([k, v]) => (m.attributes as Record<string, string> | undefined)?.[k] === v
            )
        )
      const processing = find("ringpool_processing_time_ms")?.state as { count: number; sum: number }
      assert.strictEqual(processing.count, 1)
      assert.strictEqual(processing.sum, 12.5)
      const countOf = (attributes: Record<string, string>) =>
        (find("ringpool_rows_total", attributes)?.state as { count: number } | undefined)?.count
      assert.strictEqual(countOf({ outcome: "overflow" }), 1)
      assert.strictEqual(countOf({ outcome: "rejected", error_class: "InvalidKey" }), 1)
    }).pipe(
      Effect.provide(RingPoolClient.layer().pipe(Layer.provide(stub.layer))),
      // A registry of this test's own: metrics are process-wide by default.
      Effect.provide(Layer.succeed(Metric.MetricRegistry, new Map()))
    )
  })
})
