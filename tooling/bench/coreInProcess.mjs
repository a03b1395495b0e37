// Benchmark 3: the client's own cost per allocation, with no sockets: validation, suffix, coalescing, one JSON row
// each way, one outcome. Measured twice: on the testkit's in-process fake (which keeps pools and logs, so its own
// per-row work is in the figure), and on a bare echo transport that answers every row with a fixed number, which
// leaves the client's cost alone.
import { createRingPoolClient } from "@ringpool/core"
import { FakeRingPool } from "@ringpool/testkit"
import { Effect, Layer } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { closedLoop } from "./measure.mjs"
import { row } from "./processes.mjs"

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
  await closedLoop(allocate, { total: 5_000, callers })
  const rate = await closedLoop(allocate, { total, callers, from: 5_000 })
  await client.close()
  return { rate, microsPerAllocation: 1e6 / rate }
}

export const coreInProcess = async (size) => {
  const pools = [{ id: "1", key: "bench-key", size: 2_000_000 }]
  const fake = await measure(FakeRingPool.layer({ pools, logLimit: { allocations: 1_000, calls: 100 } }), size)
  const echo = await measure(echoTransport, size)
  return { fake, echo }
}
