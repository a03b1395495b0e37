/**
 * The one client of the process for middlewares created without `client`: every page view of every such
 * middleware goes through it, so concurrent page views share bulk calls.
 *
 * @since 0.1.0
 */
import { ClientOptions, createRingPoolClient, type PromiseClient } from "@ringpool/core"

let shared: PromiseClient.PromiseRingPoolClient | undefined

/**
 * The shared client, made on first use from the `RINGPOOL_*` environment (`RINGPOOL_BASE_URL`, `RINGPOOL_KEY`,
 * `RINGPOOL_TIMEOUT_MS`, ...). A bad environment throws here, when the middleware is created, not on a page view.
 *
 * @since 0.1.0
 * @category clients
 */
export const sharedClient = (): PromiseClient.PromiseRingPoolClient => {
  if (shared === undefined) {
    try {
      shared = createRingPoolClient(ClientOptions.fromEnv())
    } catch (cause) {
      throw new TypeError(
        `ringPool(): the RINGPOOL_* environment does not make a client (${cause instanceof Error ? cause.message : String(cause)}); ` +
          "fix it, or pass client: createRingPoolClient({ ... })",
        { cause }
      )
    }
  }
  return shared
}

/**
 * Finishes the shared client's allocations and releases its connections: call it when the server shuts down.
 * Middlewares created afterwards get a new shared client.
 *
 * @since 0.1.0
 * @category clients
 */
export const closeSharedClient = async (): Promise<void> => {
  const client = shared
  shared = undefined
  await client?.close()
}
