/**
 * OTLP export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: the proxy's request spans (children of the caller's
 * trace) and every metric of the process reach a collector, and no key or parameter value is in what it receives.
 * The collector is a test receiver on loopback that keeps every body it is sent.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { type RunningProxy, startProxy } from "@ringpool/proxy"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { type Collector, startCollector } from "./support/collector.ts"
import { get } from "./support/http.ts"
import { key, pools } from "./support/proxy.ts"
import { assertNoPieceOf } from "./support/secrets.ts"

let collector: Collector
let fake: FakeRingPoolServer.FakeRingPoolServer

beforeAll(async () => {
  collector = await startCollector()
  fake = await startFakeRingPoolServer({ pools })
})
afterAll(async () => {
  await fake.close()
  await collector.close()
})

const otelVariables = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_BSP_SCHEDULE_DELAY",
  "OTEL_METRIC_EXPORT_INTERVAL"
]
afterEach(() => {
  for (const name of otelVariables) delete process.env[name]
  collector.exports.length = 0
})

const wrongKey = "Nk93c1f0Lp"
const secretValue = "Vs4e2bRt7y"
const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"

const traffic = async (proxy: RunningProxy) => {
  const single = (query: string, format = "json") =>
    `${proxy.url}/api/2014-07-28/ring_pools/1/allocate_number.${format}?${query}`
  const ok = await get(single(`ring_pool_key=${key}&m1=${secretValue}`), {
    headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }
  })
  assert.strictEqual(ok.status, 200)
  const refused = await get(single(`ring_pool_key=${wrongKey}&m1=${secretValue}`, "xml"))
  assert.strictEqual(refused.status, 403)
  const bulk = await get(`${proxy.url}/api/2013-07-01/bulk.json`, {
    method: "POST",
    body: JSON.stringify({
      requests: [{ api_suffix: `1/allocate_number.json?ring_pool_key=${key}&m2=${secretValue}`, request_id: "r1" }]
    })
  })
  assert.strictEqual(bulk.status, 200)
}

const checkNoSecrets = () => {
  assert.isNotEmpty(collector.exports)
  for (const exported of collector.exports) {
    const text = exported.body.toString("latin1")
    for (const secret of [key, wrongKey, secretValue]) assertNoPieceOf(text, secret, `the export to ${exported.path}`)
  }
}

describe("OTLP export", () => {
  it("http/json: request spans in the caller's trace, and the metrics of the core and the proxy", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "http/json"
    const proxy = await startProxy({ port: 0, baseUrl: fake.url })
    await traffic(proxy)
    await proxy.close() // flushes the exporters
    checkNoSecrets()

    const traces = collector.exports.filter((e) => e.path === "/v1/traces")
    const metrics = collector.exports.filter((e) => e.path === "/v1/metrics")
    assert.isNotEmpty(traces)
    assert.isNotEmpty(metrics)
    assert.strictEqual(traces[0]!.contentType, "application/json")

    interface Span {
      name: string
      traceId: string
      kind: number
      attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>
    }
    const spans = traces.flatMap((e) =>
      (
        JSON.parse(e.body.toString("utf8")) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Span> }> }>
        }
      ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
    )
    const attribute = (span: Span, name: string) => {
      const value = span.attributes.find((a) => a.key === name)?.value
      return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
    }
    const requests = spans.filter((span) => span.name.startsWith("ringpool.proxy "))
    assert.deepStrictEqual(
      requests.map((span) => [attribute(span, "ringpool.route"), attribute(span, "http.response.status_code")]),
      [
        ["allocate_number.json", 200],
        ["allocate_number.xml", 403],
        ["bulk.json", 200]
      ]
    )
    assert.strictEqual(requests[0]!.traceId, traceId)
    assert.strictEqual(attribute(requests[1]!, "ringpool.error_class"), "InvalidKey")
    // The core client's own span per bulk call is exported beside the proxy's.
    const bulkCalls = spans.filter((span) => span.name === "RingPoolClient.bulkCall")
    assert.isAbove(bulkCalls.length, 0)
    assert.isAbove(Number(attribute(bulkCalls[0]!, "ringpool.rows")), 0)

    const metricText = metrics.map((e) => e.body.toString("utf8")).join("\n")
    for (const name of ["ringpool_rows_total", "ringpool_batch_size", "ringpool_proxy_requests_total"]) {
      assert.include(metricText, `"name":"${name}"`)
    }
    const resource = traces[0]!.body.toString("utf8")
    assert.include(resource, '"stringValue":"ringpool-proxy"')
  })

  it("http/protobuf, the default: exported, and still no key or value in the bytes", async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url
    const proxy = await startProxy({ port: 0, baseUrl: fake.url })
    await traffic(proxy)
    await proxy.close()
    checkNoSecrets()
    const traces = collector.exports.filter((e) => e.path === "/v1/traces")
    assert.strictEqual(traces[0]!.contentType, "application/x-protobuf")
    assert.include(traces.map((e) => e.body.toString("latin1")).join(""), "ringpool.proxy GET")
  })

  it("a collector whose answer never ends costs the proxy no more than 64 KiB of it per export", async () => {
    let exportsSeen = 0
    const endless = createServer((req, res) => {
      exportsSeen++
      req.resume()
      res.writeHead(200, { "content-type": "application/x-protobuf" })
      const chunk = Buffer.alloc(64 * 1024, 7)
      const pour = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pour)
      }
      pour()
    })
    await new Promise<void>((resolve) => endless.listen(0, "127.0.0.1", resolve))
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`
    process.env.OTEL_BSP_SCHEDULE_DELAY = "100"
    process.env.OTEL_METRIC_EXPORT_INTERVAL = "200"
    const proxy = await startProxy({ port: 0, baseUrl: fake.url })
    const before = process.memoryUsage()
    await traffic(proxy)
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const after = process.memoryUsage()
    await proxy.close()
    endless.closeAllConnections()
    await new Promise((resolve) => endless.close(resolve))
    assert.isAbove(exportsSeen, 2, "the proxy exported while the collector poured")
    // Unbounded, it grew by about 250 MB a second.
    const grown = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed)
    assert.isBelow(grown, 100 * 1024 * 1024, `${Math.round(grown / 1024 / 1024)} MB`)
  })

  it("no endpoint, no export; grpc is refused with a message", async () => {
    const quiet = await startProxy({ port: 0, baseUrl: fake.url })
    await traffic(quiet)
    await quiet.close()
    assert.isEmpty(collector.exports)
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = "grpc"
    let error: unknown
    await startProxy({ port: 0, baseUrl: fake.url }).catch((e: unknown) => {
      error = e
    })
    assert.instanceOf(error, TypeError)
    assert.match((error as Error).message, /OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/)
  })
})
