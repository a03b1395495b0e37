import { RingPoolClient } from "@ringpool/core"
import * as RingPoolNode from "@ringpool/core/node"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { OtlpMetrics, OtlpSerialization, OtlpTracer } from "effect/observability"
import { expect, test } from "vitest"
import { startCollector } from "../support/collector.ts"

// Effect's own OTLP exporters (HTTP, to any collector), as the proxy uses them.
const otlp = (collectorUrl: string) =>
  Layer.mergeAll(
    OtlpTracer.layer({ url: `${collectorUrl}/v1/traces`, resource: { serviceName: "my-worker" } }),
    OtlpMetrics.layer({ url: `${collectorUrl}/v1/metrics`, resource: { serviceName: "my-worker" } })
  ).pipe(Layer.provide(OtlpSerialization.layerProtobuf), Layer.provide(FetchHttpClient.layer))

test("a core client built on the exporters sends its bulk-call spans and its metrics to the collector", async () => {
  const collector = await startCollector()
  const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "test-key", size: 5 }] })
  // Built in the exporters' context, the client records its spans and metrics into them.
  const client = RingPoolNode.layer({ baseUrl: fake.url }).pipe(Layer.provide(otlp(collector.url)))
  const program = Effect.gen(function* () {
    const ringPool = yield* RingPoolClient.RingPoolClient
    return yield* ringPool.allocate({ ringPoolId: "123", ringPoolKey: "test-key", params: { m1: "autos" } })
  })
  const allocation = await Effect.runPromise(program.pipe(Effect.provide(client))) // releasing it flushes the exporters
  expect(allocation.promoNumber).toMatch(/^\d{10}$/)
  expect(collector.received("/v1/traces")).toContain("RingPoolClient.bulkCall")
  expect(collector.received("/v1/metrics")).toContain("ringpool_rows_total")
  expect(collector.received("/v1/traces") + collector.received("/v1/metrics")).not.toContain("test-key")
  await fake.close()
  await collector.close()
})
