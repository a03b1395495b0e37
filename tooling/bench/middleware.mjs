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
