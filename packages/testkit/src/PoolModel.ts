/**
 * The state of the fake's pools, free of any wire format: allocation, lease expiry, the allocation log and
 * attribution ("which allocation did a call to number N at time T belong to").
 *
 * Undocumented points decided here:
 * - Every row is a new visit: the same parameters do not get the same number back (the service does not say
 *   they would; a caller that wants stickiness keeps the number itself, as the vendor's browser tag does).
 * - A number comes free exactly `lifetimeSeconds` after it was allocated, and free numbers are handed out least
 *   recently allocated first (never-allocated numbers first, in the pool's order).
 * - A call to a number belongs to the last allocation of that number made at or before the call, even after its
 *   lifetime ended: the number still points at that visit until it is allocated again. Calls to an overflow
 *   number belong to no allocation (the service documents that they cannot be attributed).
 * - Time never goes backwards inside the model: a clock that steps back is treated as standing still.
 *
 * @since 0.1.0
 */
import { BoundedList } from "./internal/boundedList.ts"
import { LeaseRing } from "./internal/leaseRing.ts"
import * as Pool from "./Pool.ts"

/**
 * One entry of the allocation log.
 *
 * @since 0.1.0
 * @category models
 */
export interface AllocationRecord {
  readonly ringPoolId: string
  /** 10 digits, e.g. `8883906665`. */
  readonly promoNumber: string
  /** The row's parameters (a repeated name keeps its last value, as a Rails server reads a query). */
  readonly params: Readonly<Record<string, string>>
  /** The row's `request_id`, when it had one. */
  readonly requestId: string | undefined
  /** True when the row got the pool's overflow number. */
  readonly overflow: boolean
  /** When the number was allocated, in milliseconds of the fake's clock. */
  readonly at: number
}

/**
 * Why a row got no number: the `error_class` and `message` of its error row.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowError {
  readonly errorClass: string
  readonly message: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ModelOptions {
  /** Default: one demo pool (`Pool.demoPool`). */
  readonly pools?: ReadonlyArray<Pool.PoolOptions> | undefined
  /** How many allocations the log keeps, most recent first dropped last (default 100,000). */
  readonly allocationLimit?: number | undefined
}

interface PoolState {
  readonly pool: Pool.ResolvedPool
  readonly ring: LeaseRing
}

const positiveInteger = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`@ringpool/testkit: ${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * @since 0.1.0
 * @category models
 */
export class PoolModel {
  readonly pools: ReadonlyArray<Pool.ResolvedPool>
  private readonly byId = new Map<string, PoolState>()
  private readonly log: BoundedList<AllocationRecord>
  /** Allocations of each pool number in time order (overflow numbers are not attributable, so not here). */
  private byNumber = new Map<string, Array<AllocationRecord>>()
  private lastNow = Number.NEGATIVE_INFINITY

  constructor(options: ModelOptions = {}) {
    this.pools = Pool.resolve(options.pools)
    for (const pool of this.pools) this.byId.set(pool.id, { pool, ring: new LeaseRing(pool.size, pool.lifetimeMs) })
    this.log = new BoundedList(positiveInteger("allocationLimit", options.allocationLimit, 100_000), (kept) => {
      this.byNumber = new Map()
      for (const record of kept) if (!record.overflow) this.index(record)
    })
  }

  private index(record: AllocationRecord): void {
    const history = this.byNumber.get(record.promoNumber)
    if (history === undefined) this.byNumber.set(record.promoNumber, [record])
    else history.push(record)
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
    const record: AllocationRecord = {
      ringPoolId,
      promoNumber: overflow ? pool.overflowNumber : pool.numberAt(position),
      params: Object.fromEntries(params),
      requestId,
      overflow,
      at
    }
    this.log.push(record)
    if (!overflow) this.index(record)
    return record
  }

  /** The allocation log, oldest first. */
  allocations(): Array<AllocationRecord> {
    return this.log.toArray()
  }

  /**
   * The allocation a call to `promoNumber` (digits, or formatted as `888-390-6665`) at time `at` belongs to:
   * the last allocation of that number at or before `at`. Undefined for an overflow number, a number never
   * allocated by then, or one whose allocation has left the log.
   */
  attribute(promoNumber: string, at: number): AllocationRecord | undefined {
    const history = this.byNumber.get(promoNumber.replace(/\D/g, ""))
    if (history === undefined) return undefined
    // Binary search: the history is in time order.
    let low = 0
    let high = history.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (history[middle]!.at <= at) low = middle + 1
      else high = middle
    }
    return low === 0 ? undefined : history[low - 1]
  }

  /** Frees every number and empties the log. */
  reset(): void {
    for (const state of this.byId.values()) state.ring.clear()
    this.log.clear()
    this.byNumber = new Map()
    this.lastNow = Number.NEGATIVE_INFINITY
  }
}
