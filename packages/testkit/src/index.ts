/**
 * @ringpool/testkit: a stateful fake of Invoca's Bulk RingPool service, in-process (an Effect `HttpClient`)
 * and on a real port, for test suites that must not call the real service.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AllocationLog from "./AllocationLog.ts"
/** @since 0.1.0 */
export * as CallLog from "./CallLog.ts"
/** @since 0.1.0 */
export * as FakeRingPool from "./FakeRingPool.ts"
/** @since 0.1.0 */
export * as FakeRingPoolServer from "./FakeRingPoolServer.ts"
/** @since 0.1.0 */
export { startFakeRingPoolServer } from "./FakeRingPoolServer.ts"
/** @since 0.1.0 */
export * as FaultPlan from "./FaultPlan.ts"
/** @since 0.1.0 */
export * as Pool from "./Pool.ts"
