// Benchmark 3: the client's own cost per allocation, with no sockets: validation, suffix, coalescing, one JSON row
// each way, one outcome. Measured twice: on the testkit's in-process fake (which keeps pools and logs, so its own
// per-row work is in the figure), and on a bare echo transport that answers every row with a fixed number, which
// leaves the client's cost alone.

import { fileURLToPath } from "node:url"
import { createRingPoolClient } from "@ringpool/core"
import { FakeRingPool } from "@ringpool/testkit"
import { Effect, Layer } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { closedLoop } from "./measure.mjs"
import { row, startProcess } from "./processes.mjs"

const decoder = new TextDecoder()

/**
 * Answers each row with the same number, echoing its request_id: the least a transport can do. It reads the ids
 * with a pattern and writes the answer by hand, so that its own cost stays small beside the client's.
 */
const echoTransport = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) => {
    const body = decoder.decode(request.body.body)
    let responses = ""
    for (const [, id] of body.matchAll(/"request_id":("[^"]*")/g)) {
      if (responses !== "") responses += ","
      responses += `{"request_id":${id},"promo_number":"8005550100","promo_number_formatted":"800-555-0100"}`
    }
    const text = `{"responses":[${responses}]}`
    const headers = { "content-type": "application/json", "content-length": String(text.length) }
    return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(text, { headers })))
  })
)

const measure = async (httpClient, { total, callers }) => {
  const client = createRingPoolClient({ httpClient })
  const allocate = (i) => client.allocate(row(i))
  // Warm until the compiled code settles: a fresh process runs its first rows interpreted.
  await closedLoop(allocate, { total: 50_000, callers })
  const rate = await closedLoop(allocate, { total, callers, from: 50_000 })
  await client.close()
  return { rate, microsPerAllocation: 1e6 / rate }
}

const pools = [{ id: "1", key: "bench-key", size: 2_000_000 }]
const contenders = {
  echo: () => echoTransport,
  fake: () => FakeRingPool.layer({ pools, logLimit: { allocations: 1_000, calls: 100 } })
}

/**
 * Each contender in a fresh process of its own: the client alone should not pay for the heap and the compiled code
 * that earlier benchmarks of the run left behind.
 */
export const coreInProcess = async ({ total, callers }) => {
  const results = {}
  for (const name of Object.keys(contenders)) {
    const child = await startProcess(fileURLToPath(import.meta.url), [name, String(total), String(callers)])
    results[name] = JSON.parse(child.url) // its first line: the figures
    await child.stop()
  }
  return results
}

// As a process of its own: measure one contender and print the figures as one JSON line.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, total, callers] = process.argv.slice(2)
  const figures = await measure(contenders[name](), { total: Number(total), callers: Number(callers) })
  process.stdout.write(`${JSON.stringify(figures)}\n`)
  process.stdin.resume()
}
