import { Context, Metric, Tracer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createRingPoolClient, RingPoolError } from "../src/index.ts"
import { type LoopbackService, startLoopbackService } from "./support/loopbackService.ts"
import { recordingTracer } from "./support/observe.ts"

let service: LoopbackService
beforeAll(async () => {
  service = await startLoopbackService()
})
afterAll(() => service.close())

const row = (n: number) => ({
  ringPoolId: "42",
  ringPoolKey: "loop-key",
  params: { n: String(n) },
  requestId: `p-${n}`
})

describe("createRingPoolClient over a real loopback HTTP server", () => {
  it("allocates, coalesces concurrent calls, and keeps connections alive", async () => {
    const client = createRingPoolClient({ baseUrl: service.url, maxBatchSize: 50 })
    const callsBefore = service.calls.length
    const single = await client.allocate(row(1))
    expect(single).toEqual({
      requestId: "p-1",
      promoNumber: "8000000001",
      promoNumberFormatted: "800-000-0001",
      overflow: false
    })
    const many = await Promise.all(Array.from({ length: 500 }, (_, i) => client.allocate(row(i))))
    many.forEach((allocation, i) => expect(allocation.promoNumber).toBe(String(8_000_000_000 + i)))
    expect(service.calls.length - callsBefore).toBe(1 + 10)
    for (let i = 0; i < 20; i++) await client.allocate(row(i))
    // 31 bulk calls over a handful of kept-alive connections, not one connection per call.
    expect(service.connections()).toBeLessThanOrEqual(8)
    await client.close()
  })

  it("allocateAll resolves to one outcome per row in order and never rejects for a row", async () => {
    const client = createRingPoolClient({ baseUrl: service.url, maxBatchSize: 7 })
    const outcomes = await client.allocateAll([row(1), { ...row(2), params: {} }, row(3)])
    expect(outcomes.map((o) => (o.ok ? o.allocation.promoNumber : o.error.reason._tag))).toEqual([
      "8000000001",
      "InvalidRequest",
      "8000000003"
    ])
    await client.close()
  })

  it("a caller's timeout longer than a Node timer can wait is refused before anything is sent", async () => {
    const client = createRingPoolClient({ baseUrl: service.url })
    const calls = service.calls.length
    await expect(client.allocate(row(1), { timeoutMs: 3_000_000_000 })).rejects.toThrow(
      "ringpool: timeoutMs must be a number of milliseconds above 0 and at most 2147483647, got 3000000000"
    )
    expect(service.calls.length).toBe(calls)
    await client.close()
  })

  it("a caller's timeout rejects with Timeout and leaves the other rows of its bulk call unharmed", async () => {
    const client = createRingPoolClient({ baseUrl: service.url })
    service.delayMs = 150
    try {
      const impatient = client.allocate(row(1), { timeoutMs: 20 })
      const patient = client.allocate(row(2))
      const error = await impatient.then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(RingPoolError.RingPoolError)
      expect(error).toBeInstanceOf(Error)
      expect((error as RingPoolError.RingPoolError).reason._tag).toBe("Timeout")
      expect((await patient).promoNumber).toBe("8000000002")
    } finally {
      service.delayMs = 0
      await client.close()
    }
  })

  it("an abort signal rejects with the signal's reason; a row not yet sent is never sent", async () => {
    const client = createRingPoolClient({ baseUrl: service.url })
    const controller = new AbortController()
    const callsBefore = service.calls.length
    const pending = client.allocate(row(1), { signal: controller.signal })
    controller.abort(new Error("visitor left"))
    await expect(pending).rejects.toThrow("visitor left")
    const other = await client.allocate(row(2))
    expect(other.promoNumber).toBe("8000000002")
    expect(service.calls.slice(callsBefore).flatMap((call) => call.rows.map((r) => r.request_id))).toEqual(["p-2"])
    const aborted = new AbortController()
    aborted.abort(new Error("already gone"))
    await expect(client.allocate(row(3), { signal: aborted.signal })).rejects.toThrow("already gone")
    await expect(client.allocate(row(4), { signal: "nope" as never })).rejects.toThrow(
      "ringpool: signal must be an AbortSignal"
    )
    // A signal that behaves as one (a polyfill's) is one; null is none.
    const polyfill = Object.assign(new EventTarget(), { aborted: false, reason: undefined })
    expect((await client.allocate(row(5), { signal: polyfill as unknown as AbortSignal })).promoNumber).toBeDefined()
    expect((await client.allocate(row(6), { signal: null as never })).promoNumber).toBeDefined()
    await client.close()
  })

  it("refuses unknown or wrong options at creation with a message that says what to write", () => {
    expect(() => createRingPoolClient({ maxBatchSize: 0 })).toThrow(/maxBatchSize must be a positive integer/)
    expect(() => createRingPoolClient({ baseUrl: "pnapi.invoca.net" })).toThrow(/baseUrl must be an http\(s\) URL/)
    expect(() => createRingPoolClient({ batchSize: 3 } as never)).toThrow(/unknown option "batchSize"/)
  })

  it("a closed client rejects new calls, after finishing the ones it had", async () => {
    const client = createRingPoolClient({ baseUrl: service.url })
    const inFlight = client.allocate(row(5))
    await client.close()
    expect((await inFlight).promoNumber).toBe("8000000005")
    await expect(client.allocate(row(6))).rejects.toThrow(/closed/)
  })

  it("a service that is down gives Transport, retried only because nothing was sent", async () => {
    const down = await startLoopbackService()
    await down.close()
    const client = createRingPoolClient({ baseUrl: down.url, retry: { baseDelayMs: 1 } })
    const error = (await client.allocate(row(1)).catch((e: unknown) => e)) as RingPoolError.RingPoolError
    expect(error.reason._tag).toBe("Transport")
    expect(error.retryable).toBe(true)
    await client.close()
  })

  it("reads RINGPOOL_* for what its options leave out, as layerConfig does; options win", async () => {
    const saved = { ...process.env }
    const other = await startLoopbackService()
    try {
      process.env.RINGPOOL_BASE_URL = service.url
      process.env.RINGPOOL_KEY = "env-key"
      process.env.RINGPOOL_MAX_BATCH_SIZE = "2"
      const fromEnv = createRingPoolClient()
      const rows = [1, 2, 3].map((n) => ({ ringPoolId: "42", params: { n: String(n) } }))
      const callsBefore = service.calls.length
      const outcomes = await fromEnv.allocateAll(rows)
      expect(outcomes.map((o) => o.ok && o.allocation.promoNumber)).toEqual(["8000000001", "8000000002", "8000000003"])
      const sent = service.calls.slice(callsBefore)
      expect(sent.map((call) => call.rows.length)).toEqual([2, 1])
      expect(sent[0]!.rows[0]!.api_suffix).toContain("ring_pool_key=env-key")
      await fromEnv.close()
      const overridden = createRingPoolClient({ baseUrl: other.url, maxBatchSize: undefined })
      await overridden.allocate(rows[0]!)
      expect(other.calls).toHaveLength(1)
      await overridden.close()
    } finally {
      process.env = saved
      await other.close()
    }
  })

  it("sends its spans and metrics to the Effect context it is given", async () => {
    const { tracer, spans } = recordingTracer()
    const registry = new Map()
    const context = Context.make(Tracer.Tracer, tracer).pipe(Context.add(Metric.MetricRegistry, registry))
    const client = createRingPoolClient({ baseUrl: service.url, context })
    await client.allocateAll([row(1), row(2)])
    await client.close()
    expect(spans.map((span) => [span.name, span.attributes.get("ringpool.rows")])).toEqual([
      ["RingPoolClient.bulkCall", 2]
    ])
    const ids = Metric.snapshotUnsafe(context).map((snapshot) => snapshot.id)
    expect(ids).toContain("ringpool_bulk_calls_total")
  })
})
