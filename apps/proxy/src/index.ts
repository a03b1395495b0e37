/**
 * @ringpool/proxy: the single RingPool API, served through coalesced bulk calls. The server behind
 * `ringpool proxy`, for embedding in a program of your own.
 *
 * ```ts
 * import { startProxy } from "@ringpool/proxy"
 * const proxy = await startProxy({ port: 8080 })
 * await proxy.close()
 * ```
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export type { RunningProxy } from "./Proxy.ts"
/** @since 0.1.0 */
export { startProxy } from "./Proxy.ts"
/** @since 0.1.0 */
export type { ProxyOptions } from "./ProxyOptions.ts"
