// Throughput of the fake with 100-row bulk calls: the request handler alone, then the server on a loopback port
// with 16 keep-alive connections (client and server share this process, so the figure is a floor).
// Run `pnpm --filter @ringpool/testkit build` first; then `pnpm --filter @ringpool/testkit bench`.
import { Agent, request } from "node:http"
import { RingPoolFake, startFakeRingPoolServer } from "@ringpool/testkit"

const rowsPerCall = 100
const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const pools = [{ id: "1", key: "k", size: 1000 }]
const logLimit = { calls: 100 }

let serial = 0
const bodies = Array.from({ length: 200 }, () =>
  JSON.stringify({
    requests: Array.from({ length: rowsPerCall }, (_, i) => ({
      api_suffix: `1/allocate_number.json?ring_pool_key=k&m1=visit${serial}&m2=${i}`,
      request_id: `r${serial++}`
    }))
  })
)

const report = (name, calls, elapsedMs) =>
  console.log(
    `${name}: ${Math.round((calls * 1000) / elapsedMs)} calls/s, ${Math.round((calls * rowsPerCall * 1000) / elapsedMs)} rows/s`
  )

const handlerOnly = () => {
  const fake = RingPoolFake.make({ pools, logLimit })
  const run = (calls) => {
    for (let i = 0; i < calls; i++)
      fake.handle("POST", "/api/2013-07-01/bulk.json", bodies[i % bodies.length], Date.now())
  }
  run(2_000)
  let calls = 0
  const started = performance.now()
  while (performance.now() - started < seconds * 1000) {
    run(100)
    calls += 100
  }
  report("handler", calls, performance.now() - started)
}

const overLoopback = async () => {
  const fake = await startFakeRingPoolServer({ pools, logLimit })
  const url = new URL(fake.url)
  const agent = new Agent({ keepAlive: true, maxSockets: 16 })
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: "/api/2013-07-01/bulk.json", method: "POST", agent },
        (res) => {
          res.resume()
          res.on("end", resolve)
        }
      )
      req.on("error", reject)
      req.end(body)
    })
  const run = async (ms) => {
    let calls = 0
    const end = performance.now() + ms
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < end) await post(bodies[calls++ % bodies.length])
      })
    )
    return calls
  }
  await run(1_000)
  const started = performance.now()
  const calls = await run(seconds * 1000)
  report("server", calls, performance.now() - started)
  agent.destroy()
  await fake.close()
}

handlerOnly()
await overLoopback()
