#!/usr/bin/env node
// The proxy of the proxy benchmark, in a process of its own (as it runs next to a site): `node proxyServer.mjs
// proxy <fake url>` runs `startProxy` in front of the fake; `node proxyServer.mjs fixed` is a bare node:http server
// that answers every request with the same single-API JSON, the ceiling of any node:http server on this machine.
// Prints its URL on stdout; SIGTERM stops it.
import { createServer } from "node:http"
import { startProxy } from "@ringpool/proxy"

const [mode, fakeUrl] = process.argv.slice(2)
let stop
if (mode === "proxy") {
  const proxy = await startProxy({ port: 0, baseUrl: fakeUrl })
  process.stdout.write(`${proxy.url}\n`)
  stop = () => proxy.close()
} else {
  const body =
    '{"promo_number_formatted":"888-390-6665","tracking_url":"http://x.test/c/1/1","promo_number":"8883906665"}'
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length })
    res.end(body)
  })
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`)
  stop = () => new Promise((resolve) => server.close(resolve))
}
process.on("SIGTERM", () => stop().then(() => process.exit(0)))
