// Benchmark 4: the fake alone, rows per second in bulk calls of 100 rows, over loopback keep-alive connections
// from another process (the fake's own process does nothing but serve).
import { bulkPoster } from "./bulkPost.mjs"

const rowsPerCall = 100

export const fakeServerAlone = async (url, { seconds, inFlight = 8 }) => {
  const post = bulkPoster(url, inFlight)
  let serial = 0
  const bodyOf = () =>
    JSON.stringify({
      requests: Array.from({ length: rowsPerCall }, (_, i) => ({
        api_suffix: `1/allocate_number.json?ring_pool_key=bench-key&m1=visit${serial}&m2=${i}`,
        request_id: `f${serial++}`
      }))
    })
  let calls = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const { status } = await post(bodyOf())
        if (status !== 200) throw new Error(`the fake answered HTTP ${status}`)
        calls++
      }
    })
  )
  post.close()
  return { rows: calls * rowsPerCall, rowsPerSecond: (calls * rowsPerCall * 1000) / (performance.now() - started) }
}

// ARCHITECTURE.md's budget: the fake is the ceiling of every benchmark that uses it.
const targetRowsPerSecond = 250_000

export const fakeSuite = async ({ size, fake, fixed, verdictOf }) => {
  const server = await fakeServerAlone(fake.url, { seconds: size.fakeSeconds })
  return [
    {
      benchmark: "Fake server alone, bulk calls of 100 rows",
      figure: `${fixed(server.rowsPerSecond)} rows/s`,
      target: `>= ${fixed(targetRowsPerSecond)} rows/s`,
      verdict: verdictOf(server.rowsPerSecond >= targetRowsPerSecond)
    }
  ]
}
