/**
 * Runs the example app: `node dist/example/serve.js` (after `pnpm build`). With `RINGPOOL_BASE_URL` and
 * `RINGPOOL_KEY` set it uses that service and pool `EXAMPLE_POOL_ID`; without them it starts the testkit's fake
 * service on a free port, so it runs with no account. `PORT` picks the port (default 3000, 0 for any);
 * `EXAMPLE_TIMEOUT_MS` the page's budget (default 250).
 *
 * @since 0.1.0
 */
import { closeSharedClient } from "../SharedClient.ts"
import { createExampleApp } from "./app.ts"

const startFake = async () => {
  const testkit = await import("@ringpool/testkit").catch(() => {
    console.error(
      "The example needs a Bulk RingPool service: set RINGPOOL_BASE_URL, RINGPOOL_KEY and EXAMPLE_POOL_ID, or install @ringpool/testkit to run against its fake."
    )
    process.exit(1)
  })
  const fake = await testkit.startFakeRingPoolServer({ pools: [{ id: "demo", key: "demo-key", size: 20 }], port: 0 })
  // The middleware's shared client reads the environment: point it at the fake.
  process.env.RINGPOOL_BASE_URL = fake.url
  process.env.RINGPOOL_KEY = "demo-key"
  process.env.EXAMPLE_POOL_ID = "demo"
  console.error(`Fake Bulk RingPool service at ${fake.url}`)
  return fake
}

const fake = process.env.RINGPOOL_BASE_URL === undefined ? await startFake() : undefined
const app = createExampleApp({
  pool: { id: process.env.EXAMPLE_POOL_ID ?? "demo" },
  ...(process.env.EXAMPLE_TIMEOUT_MS === undefined ? {} : { timeoutMs: Number(process.env.EXAMPLE_TIMEOUT_MS) })
})
const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : process.env.PORT
  console.log(`Example at http://127.0.0.1:${port}/?utm_source=google&utm_campaign=spring`)
})

const stop = () => {
  server.close(async () => {
    await closeSharedClient()
    await fake?.close()
  })
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
