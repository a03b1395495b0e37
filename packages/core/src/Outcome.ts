/**
 * What one row ends in: an allocation, or the error of that row alone. Every row submitted gets exactly one.
 *
 * @since 0.1.0
 */
import type { Allocation } from "./Allocation.ts"
import type { RingPoolError } from "./RingPoolError.ts"

/**
 * A row's outcome as the Effect face and callbacks carry it: the allocation itself, or the error.
 *
 * @since 0.1.0
 * @category models
 */
export type RowResult = Allocation | RingPoolError

/**
 * A row's outcome as a value that is never thrown: `{ ok: true, allocation }` or `{ ok: false, error }`.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | { readonly ok: true; readonly allocation: Allocation }
  | { readonly ok: false; readonly error: RingPoolError }

/**
 * @since 0.1.0
 * @category guards
 */
export const isAllocation = (result: RowResult): result is Allocation => "promoNumber" in result

/**
 * @since 0.1.0
 * @category constructors
 */
export const fromResult = (result: RowResult): Outcome =>
  isAllocation(result) ? { ok: true, allocation: result } : { ok: false, error: result }
