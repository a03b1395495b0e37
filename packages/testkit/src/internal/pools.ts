/**
 * The state of the fake's pools, free of any wire format: which numbers are held, and the next one to hand out.
 *
 * Undocumented points decided here:
 * - Every row is a new visit: the same parameters do not get the same number back (the service does not say
 *   they would; a caller that wants stickiness keeps the number itself, as the vendor's browser tag does).
 * - A number comes free exactly `lifetimeSeconds` after it was allocated, and free numbers are handed out least
 *   recently allocated first (never-allocated numbers first, in the pool's order).
 * - Time never goes backwards inside the pools: a clock that steps back is treated as standing still.
 */
import type { AllocationRecord } from "../AllocationLog.ts"
import type { RowError } from "../CallLog.ts"
import * as Pool from "../Pool.ts"
import { LeaseRing } from "./leaseRing.ts"

interface PoolState {
  readonly pool: Pool.ResolvedPool
  readonly ring: LeaseRing
}

export class Pools {
  readonly pools: ReadonlyArray<Pool.ResolvedPool>
  private readonly byId = new Map<string, PoolState>()
  private lastNow = Number.NEGATIVE_INFINITY

  constructor(pools: ReadonlyArray<Pool.PoolOptions> | undefined) {
    this.pools = Pool.resolve(pools)
    for (const pool of this.pools) this.byId.set(pool.id, { pool, ring: new LeaseRing(pool.size, pool.lifetimeMs) })
  }

  /**
   * Allocates a number for one row, or says why not: `RingPoolNotFound`, `InvalidKey` (with the service's
   * documented message, which quotes the key sent), or `NoNumberAvailable` when the pool is full and overflow is off.
   */
  allocate(
    ringPoolId: string,
    key: string | undefined,
    params: ReadonlyArray<readonly [string, string]>,
    requestId: string | undefined,
    now: number
  ): AllocationRecord | RowError {
    const state = this.byId.get(ringPoolId)
    if (state === undefined) {
      return { errorClass: "RingPoolNotFound", message: `RingPool '${ringPoolId}' was not found` }
    }
    const pool = state.pool
    if (key !== pool.key) {
      return { errorClass: "InvalidKey", message: `API Key '${key ?? ""}' is not valid for resource '${ringPoolId}'` }
    }
    if (now > this.lastNow) this.lastNow = now
    const at = this.lastNow
    const position = state.ring.lease(at)
    if (position === -1 && !pool.allowOverflow) {
      return {
        errorClass: "NoNumberAvailable",
        message: `RingPool '${ringPoolId}' has no free number and does not allow overflow`
      }
    }
    const overflow = position === -1
    return {
      ringPoolId,
      promoNumber: overflow ? pool.overflowNumber : pool.numberAt(position),
      params: Object.fromEntries(params),
      requestId,
      overflow,
      at
    }
  }

  /** Frees every number. */
  reset(): void {
    for (const state of this.byId.values()) state.ring.clear()
    this.lastNow = Number.NEGATIVE_INFINITY
  }
}
