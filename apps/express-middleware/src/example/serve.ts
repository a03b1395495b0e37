/**
 * Runs the example app: `node dist/example/serve.js` (after `pnpm build`). With `RINGPOOL_BASE_URL` and
 * `RINGPOOL_KEY` set it uses that service and pool `EXAMPLE_POOL_ID`; without them it starts the testkit's fake
 * service on a free port, so it runs with no account.
 *
 * - `PORT`: the port (default 3000, 0 for any); `EXAMPLE_TIMEOUT_MS`: the page's budget (default 250).
 * - `REDIS_URL`: keep visitors' numbers in that Redis (`redisStore`), so that every process shares them.
 * - `EXAMPLE_WORKERS=N`: N processes on the one port (Node's `cluster`), which needs `REDIS_URL`.
 * - `EXAMPLE_TTL_SECONDS`: how long a visitor keeps a number (default 1800).
 *
 * @since 0.1.0
 */
import cluster from "node:cluster"
import type { AddressInfo } from "node:net"
import type { VisitorStore } from "../index.ts"
import { closeSharedClient } from "../SharedClient.ts"
import { createExampleApp } from "./app.ts"

const fail = (text: string): never => {
  console.error(text)
  process.exit(1)
}

const workers = Number(process.env.EXAMPLE_WORKERS ?? 1)
if (!Number.isSafeInteger(workers) || workers < 1) fail("EXAMPLE_WORKERS must be a whole number of processes, e.g. 4")
if (workers > 1 && process.env.REDIS_URL === undefined) {
  fail("EXAMPLE_WORKERS needs REDIS_URL: processes share visitors' numbers only through Redis (redis://127.0.0.1:6379)")
}

const startFake = async () => {
  const testkit = await import("@ringpool/testkit").catch(() =>
    fail(
      "The example needs a Bulk RingPool service: set RINGPOOL_BASE_URL, RINGPOOL_KEY and EXAMPLE_POOL_ID, or install @ringpool/testkit to run against its fake."
    )
  )
  const fake = await testkit.startFakeRingPoolServer({ pools: [{ id: "demo", key: "demo-key", size: 20 }], port: 0 })
  // The middleware's shared client reads the environment, and cluster workers inherit it: point both at the fake.
  process.env.RINGPOOL_BASE_URL = fake.url
  process.env.RINGPOOL_KEY = "demo-key"
  process.env.EXAMPLE_POOL_ID = "demo"
  console.error(`Fake Bulk RingPool service at ${fake.url}`)
  return fake
}

// The primary of a cluster only starts the fake and the workers; each worker serves the app.
const fake = cluster.isPrimary && process.env.RINGPOOL_BASE_URL === undefined ? await startFake() : undefined

const announce = (port: number | string | undefined) =>
  console.log(`Example at http://127.0.0.1:${port}/?utm_source=google&utm_campaign=spring`)

const runPrimary = () => {
  let listening = 0
  for (let i = 0; i < workers; i++) cluster.fork()
  cluster.on("listening", (_worker, address) => {
    if (++listening === workers) {
      console.error(`${workers} processes share the port and one Redis`)
      announce(address.port)
    }
  })
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM")
    const closed = () => Object.keys(cluster.workers ?? {}).length === 0
    const finish = () => void fake?.close().then(() => process.exit(0))
    if (closed()) finish()
    else cluster.on("exit", () => closed() && finish())
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

const runServer = async () => {
  const redis = process.env.REDIS_URL === undefined ? undefined : await import("../redis.ts")
  const store: (VisitorStore & { close: () => Promise<void> }) | undefined = redis?.redisStore({
    url: process.env.REDIS_URL!
  })
  const ttl = process.env.EXAMPLE_TTL_SECONDS
  const app = createExampleApp({
    pool: { id: process.env.EXAMPLE_POOL_ID ?? "demo" },
    ...(process.env.EXAMPLE_TIMEOUT_MS === undefined ? {} : { timeoutMs: Number(process.env.EXAMPLE_TIMEOUT_MS) }),
    sticky: { ...(store === undefined ? {} : { store }), ...(ttl === undefined ? {} : { ttlSeconds: Number(ttl) }) }
  })
  const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
    if (cluster.isPrimary) announce((server.address() as AddressInfo).port)
  })
  const stop = () => {
    server.close(() => {
      Promise.all([closeSharedClient(), store?.close(), fake?.close()]).then(
        () => process.exit(0),
        (error: unknown) => fail(`The example did not shut down cleanly: ${String(error)}`)
      )
    })
    server.closeAllConnections()
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

if (cluster.isPrimary && workers > 1) runPrimary()
else await runServer()
