/**
 * What a client has counted so far, as plain numbers, for code without a metrics pipeline (the CLI's summary, a
 * health page). The same figures go to Effect's metrics, per bulk call (see `RingPoolClient`).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientStats {
  bulkCalls: number
  rows: number
  allocated: number
  overflow: number
  /** Rows the service answered with an error row, by `error_class` (the first 50 classes seen; any later one as `other`). */
  rejected: Record<string, number>
  /** Rows that failed for any other reason, by reason tag. */
  failed: Record<string, number>
  /** Sum of the service's `processing-time` headers, in milliseconds. */
  processingTimeMs: number
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const empty = (): ClientStats => ({
  bulkCalls: 0,
  rows: 0,
  allocated: 0,
  overflow: 0,
  rejected: {},
  failed: {},
  processingTimeMs: 0
})
