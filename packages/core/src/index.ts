/**
 * @ringpool/core: the Effect client for Invoca's Bulk RingPool API, and its Promise face.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Allocation from "./Allocation.ts"
/** @since 0.1.0 */
export * as AllocationRequest from "./AllocationRequest.ts"
/** @since 0.1.0 */
export * as ApiSuffix from "./ApiSuffix.ts"
/** @since 0.1.0 */
export * as BulkProtocol from "./BulkProtocol.ts"
/** @since 0.1.0 */
export * as ClientOptions from "./ClientOptions.ts"
/** @since 0.1.0 */
export * as ClientStats from "./ClientStats.ts"
/** @since 0.1.0 */
export * as Outcome from "./Outcome.ts"
/** @since 0.1.0 */
export * as PromiseClient from "./PromiseClient.ts"
/** @since 0.1.0 */
export { createRingPoolClient } from "./PromiseClient.ts"
/** @since 0.1.0 */
export * as RingPoolClient from "./RingPoolClient.ts"
/** @since 0.1.0 */
export * as RingPoolError from "./RingPoolError.ts"
