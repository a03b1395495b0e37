// Benchmark 4: the fake alone, rows per second in bulk calls of 100 rows, over loopback keep-alive connections
// from another process (the fake's own process does nothing but serve).
import { Agent, request } from "node:http"

const rowsPerCall = 100

export const fakeServerAlone = async (url, { seconds, inFlight = 8 }) => {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight })
  const { hostname, port } = new URL(url)
  let serial = 0
  const bodyOf = () =>
    JSON.stringify({
      requests: Array.from({ length: rowsPerCall }, (_, i) => ({
        api_suffix: `1/allocate_number.json?ring_pool_key=bench-key&m1=visit${serial}&m2=${i}`,
        request_id: `f${serial++}`
      }))
    })
  const call = () =>
    new Promise((resolve, reject) => {
      const body = bodyOf()
      const req = request(
        {
          agent,
          hostname,
          port,
          method: "POST",
          path: "/api/2013-07-01/bulk.json",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
        },
        (res) => {
          res.resume()
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))))
        }
      )
      req.on("error", reject)
      req.end(body)
    })
  let calls = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await call()
        calls++
      }
    })
  )
  agent.destroy()
  return { rowsPerSecond: (calls * rowsPerCall * 1000) / (performance.now() - started) }
}
