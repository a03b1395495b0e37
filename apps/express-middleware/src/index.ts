/**
 * @ringpool/express: an Express 5 middleware that puts a call-tracking number from Invoca's Bulk RingPool API on
 * `res.locals.ringPool` for every page view, within a time budget, without ever breaking the page.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export { RingPoolError } from "@ringpool/core"
/** @since 0.1.0 */
export type { FallbackNumber } from "./Fallback.ts"
/** @since 0.1.0 */
export type { RingPoolLocals, RingPoolSource, TrackedNumber, UntrackedNumber } from "./Locals.ts"
/** @since 0.1.0 */
export type { Allocator, Params, PoolRef, RingPoolOptions, StickyOptions } from "./Options.ts"
/** @since 0.1.0 */
export type { RingPoolStats } from "./Report.ts"
/** @since 0.1.0 */
export { type RingPoolMiddleware, ringPool } from "./RingPool.ts"
/** @since 0.1.0 */
export { closeSharedClient } from "./SharedClient.ts"
/** @since 0.1.0 */
export { defaultSkip, isCrawler, isPrefetch } from "./Skip.ts"
/** @since 0.1.0 */
export {
  type MemoryStoreOptions,
  memoryStore,
  type VisitorNumber,
  type VisitorStore,
  VisitorStoreError
} from "./VisitorStore.ts"
