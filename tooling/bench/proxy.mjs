// The proxy's suite: single-API requests per second through `ringpool proxy`'s server at 100 connections, against
// the same load making its own one-row bulk call to the fake per request (what each process of a site would do
// without the proxy); and the latency the proxy adds at idle, one request at a time, interleaved with the same
// one-row bulk call made directly. The proxy and the fake each run in a process of their own; autocannon loads them.
// A bare node:http server with a fixed answer is measured beside them: no node:http server goes faster than it.
// The CPU time each process spends per request (from /proc) says where the two cores go.
import { Agent, request } from "node:http"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"
import { cpuDuring, startProcess } from "./processes.mjs"

const server = fileURLToPath(new URL("./proxyServer.mjs", import.meta.url))
const key = "bench-key"
const connections = 100

const singlePath = (visit) =>
  `/api/2014-07-28/ring_pools/1/allocate_number.json?ring_pool_key=${key}&m1=autos&visit=${visit}`
const bulkBody = (visit) =>
  JSON.stringify({
    requests: [
      { api_suffix: `1/allocate_number.json?ring_pool_key=${key}&m1=autos&visit=${visit}`, request_id: `p${visit}` }
    ]
  })

// autocannon builds a `setupRequest` request per call, which costs it more than the servers spend: requests are
// built once instead, a cycle of this many visits.
const cycle = 1_000
const singleRequests = Array.from({ length: cycle }, (_, visit) => ({ method: "GET", path: singlePath(visit) }))
const bulkRequests = Array.from({ length: cycle }, (_, visit) => ({
  method: "POST",
  path: "/api/2013-07-01/bulk.json",
  headers: { "content-type": "application/json" },
  body: bulkBody(visit)
}))

/** autocannon at `connections` for `seconds`. */
const load = (url, seconds, bulk) =>
  autocannon({ url, connections, duration: seconds, requests: bulk ? bulkRequests : singleRequests })

/**
 * The three loads in turns of `seconds`, `rounds` times, so that a machine whose other load drifts moves all three
 * alike; requests per second over all rounds, the worst p99 of any round, and the CPU time each of a target's
 * `pids` spent per request.
 */
const side = async (targets, { rounds, seconds }) => {
  const totals = targets.map((target) => ({
    requests: 0,
    seconds: 0,
    p99: 0,
    failed: 0,
    cpu: target.pids.map(() => 0)
  }))
  for (const target of targets) await load(target.url, 1, target.bulk) // warm-up: connections open, code compiled
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const { result, seconds: cpu } = await cpuDuring(target.pids, () => load(target.url, seconds, target.bulk))
      const total = totals[i]
      total.requests += result.requests.total
      total.seconds += result.duration
      total.p99 = Math.max(total.p99, result.latency.p99)
      total.failed += result.errors + result.non2xx
      total.cpu = total.cpu.map((spent, j) =>
        spent === undefined || cpu[j] === undefined ? undefined : spent + cpu[j]
      )
    }
  }
  return totals.map((t) => ({
    rps: t.requests / t.seconds,
    p99: t.p99,
    failed: t.failed,
    micros: t.cpu.map((spent) => (spent === undefined ? undefined : (spent * 1e6) / t.requests))
  }))
}

/** One request at a time on a keep-alive connection: `send` resolves with the status. */
const sequential = (url) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const { hostname, port } = new URL(url)
  const send = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        { agent, hostname, port, method, path, headers: body ? { "content-type": "application/json" } : {} },
        (res) => {
          res.resume()
          res.on("end", () => resolve(res.statusCode))
        }
      )
      req.on("error", reject)
      req.end(body)
    })
  send.close = () => agent.destroy()
  return send
}

const percentile = (samples, q) => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

let serial = cycle
/** Idle latency through the proxy and direct, samples interleaved so that a drifting machine moves both alike. */
const idle = async (proxyUrl, fakeUrl, count) => {
  const viaProxy = sequential(proxyUrl)
  const direct = sequential(fakeUrl)
  const proxied = []
  const straight = []
  for (let i = -100; i < count; i++) {
    const visit = serial++
    let started = performance.now()
    if ((await viaProxy("GET", singlePath(visit))) !== 200) throw new Error("the proxy did not answer 200")
    const a = performance.now() - started
    started = performance.now()
    if ((await direct("POST", "/api/2013-07-01/bulk.json", bulkBody(serial++))) !== 200) {
      throw new Error("the fake did not answer 200")
    }
    const b = performance.now() - started
    // The first 100 of each are a warm-up.
    if (i >= 0) {
      proxied.push(a)
      straight.push(b)
    }
  }
  viaProxy.close()
  direct.close()
  return {
    proxy: { p50: percentile(proxied, 0.5), p99: percentile(proxied, 0.99) },
    direct: { p50: percentile(straight, 0.5), p99: percentile(straight, 0.99) }
  }
}

export const proxySuite = async ({ quick, size, fake, verdictOf, fixed }) => {
  const proxy = await startProcess(server, ["proxy", fake.url])
  const bare = await startProcess(server, ["fixed"])
  let through
  let baseline
  let ceiling
  let latency
  try {
    ;[through, baseline, ceiling] = await side(
      [
        { url: proxy.url, bulk: false, pids: [proxy.child.pid, fake.child.pid, process.pid] },
        { url: fake.url, bulk: true, pids: [fake.child.pid, process.pid] },
        { url: bare.url, bulk: false, pids: [bare.child.pid, process.pid] }
      ],
      { rounds: quick ? 2 : 4, seconds: quick ? 1 : 3 }
    )
    latency = await idle(proxy.url, fake.url, size.idleCount)
  } finally {
    await proxy.stop()
    await bare.stop()
  }
  const ratio = through.rps / baseline.rps
  const addedP50 = latency.proxy.p50 - latency.direct.p50
  const addedP99 = latency.proxy.p99 - latency.direct.p99
  const perRequest = (micros) => `${fixed(micros, 1)} µs`
  const [proxyCpu, fakeShare, loadThrough] = through.micros
  const cpu = [...through.micros, ...baseline.micros, ...ceiling.micros].includes(undefined)
    ? ""
    : `; CPU a request: the proxy ${perRequest(proxyCpu)} and the fake ${perRequest(fakeShare)} (its share of the coalesced calls), the fake ${perRequest(baseline.micros[0])} a one-row call, the bare server ${perRequest(ceiling.micros[0])}; autocannon itself ${perRequest(loadThrough)}, ${perRequest(baseline.micros[1])} and ${perRequest(ceiling.micros[1])}`
  return [
    {
      benchmark: `ringpool proxy, single-API requests, autocannon, ${connections} connections, in turns`,
      figure: `through the proxy ${fixed(through.rps)} req/s (p99 ${through.p99} ms, ${through.failed} failed); each request its own one-row bulk call to the fake ${fixed(baseline.rps)} req/s (p99 ${baseline.p99} ms, ${baseline.failed} failed): ${fixed(ratio, 2)}x; a bare node:http server with a fixed answer ${fixed(ceiling.rps)} req/s (${fixed(ceiling.rps / baseline.rps, 2)}x: the ceiling of any node:http server here)${cpu}`,
      target: ">= 5x the one-row bulk calls",
      verdict: verdictOf(ratio >= 5)
    },
    {
      benchmark: `ringpool proxy, idle, ${fixed(size.idleCount)} sequential requests each, interleaved`,
      figure: `through the proxy p50 ${fixed(latency.proxy.p50, 3)} ms, p99 ${fixed(latency.proxy.p99, 3)} ms; one-row bulk call direct p50 ${fixed(latency.direct.p50, 3)} ms, p99 ${fixed(latency.direct.p99, 3)} ms; added p50 ${fixed(addedP50, 3)} ms, p99 ${fixed(addedP99, 3)} ms`,
      target: "added p50 <= 0.5 ms",
      verdict: verdictOf(addedP50 <= 0.5)
    }
  ]
}
