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
import type { RowError } from "../CallLog.ts"
import * as Pool from "../Pool.ts"
import { overflowPosition, refusedPosition } from "./arrival.ts"
import { LeaseRing } from "./leaseRing.ts"

export class Pools {
  readonly pools: ReadonlyArray<Pool.ResolvedPool>
  private readonly indexOf = new Map<string, number>()
  private readonly rings: ReadonlyArray<LeaseRing>
  private lastNow = Number.NEGATIVE_INFINITY

  constructor(pools: ReadonlyArray<Pool.PoolOptions> | undefined) {
    this.pools = Pool.resolve(pools)
    this.pools.forEach((pool, index) => this.indexOf.set(pool.id, index))
    this.rings = this.pools.map((pool) => new LeaseRing(pool.size, pool.lifetimeMs))
  }

  /** The pools' time for a call made at `now`: never earlier than a call before it. */
  time(now: number): number {
    if (now > this.lastNow) this.lastNow = now
    return this.lastNow
  }

  /**
   * The index of the pool a row may allocate from, or why it may not: `RingPoolNotFound`, or `InvalidKey` with the
   * service's documented message, which quotes the key sent.
   */
  find(ringPoolId: string, key: string | undefined): number | RowError {
    const index = this.indexOf.get(ringPoolId)
    if (index === undefined)
      return { errorClass: "RingPoolNotFound", message: `RingPool '${ringPoolId}' was not found` }
    if (key !== this.pools[index]!.key) {
      return { errorClass: "InvalidKey", message: `API Key '${key ?? ""}' is not valid for resource '${ringPoolId}'` }
    }
    return index
  }

  /**
   * Leases a number of pool `index` at `at`: its position, `overflowPosition` when none is free, or `refusedPosition`
   * when none is free and the pool does not allow overflow (see `noNumber`).
   */
  lease(index: number, at: number): number {
    const position = this.rings[index]!.lease(at)
    if (position !== -1) return position
    return this.pools[index]!.allowOverflow ? overflowPosition : refusedPosition
  }

  /** Why a row of pool `index` got no number. */
  noNumber(index: number): RowError {
    return {
      errorClass: "NoNumberAvailable",
      message: `RingPool '${this.pools[index]!.id}' has no free number and does not allow overflow`
    }
  }

  /** Frees every number. */
  reset(): void {
    for (const ring of this.rings) ring.clear()
    this.lastNow = Number.NEGATIVE_INFINITY
  }
}
