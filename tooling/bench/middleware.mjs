// Benchmark 5: a page with the middleware (a new visitor each request, so an allocation each) versus the same page
// with a fixed number, under autocannon at 100 connections.
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"
import { startProcess } from "./processes.mjs"

const app = fileURLToPath(new URL("./expressApp.mjs", import.meta.url))
// A browser's user agent: the middleware skips bots, and a benchmark tool is not one here.
const headers = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
}

const load = async (url, seconds) => {
  await autocannon({ url: `${url}/?utm_source=warmup`, connections: 100, duration: 2, headers })
  const result = await autocannon({ url: `${url}/?utm_source=bench`, connections: 100, duration: seconds, headers })
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx }
}

export const middleware = async (fakeUrl, { seconds }) => {
  const results = {}
  for (const mode of ["fixed", "ringpool"]) {
    const server = await startProcess(app, [mode, fakeUrl])
    try {
      results[mode] = await load(server.url, seconds)
    } finally {
      await server.stop()
    }
  }
  return results
}

export const middlewareSuite = async ({ size, fake, verdictOf, fixed }) => {
  const page = await middleware(fake.url, { seconds: size.pageSeconds })
  return [
    {
      benchmark: "5. Express page, autocannon, 100 connections",
      figure: `with the middleware ${fixed(page.ringpool.rps)} req/s (p99 ${page.ringpool.p99} ms, ${page.ringpool.errors} errors); fixed number ${fixed(page.fixed.rps)} req/s (p99 ${page.fixed.p99} ms); ratio ${fixed(page.ringpool.rps / page.fixed.rps, 2)}`,
      target: "ratio >= 0.5",
      verdict: verdictOf(page.ringpool.rps / page.fixed.rps >= 0.5)
    }
  ]
}
