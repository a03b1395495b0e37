/**
 * What the middleware leaves on `res.locals.ringPool` for the page, and its typing for users through
 * `Express.Locals` (so `res.locals.ringPool` is typed wherever this package is imported).
 *
 * @since 0.1.0
 */

/**
 * Where the page's number came from.
 * - `allocated`: the service allocated it for this page view.
 * - `sticky`: this visitor got it earlier with the same parameters, and the pool's lifetime has not passed.
 * - `fallback`: no number could be had in time; the page shows the `fallback` number (if one is configured).
 * - `skipped`: the request is not a page view worth a number (a bot, `HEAD`, a prefetch, or `skip` said so);
 *   the page shows the `fallback` number (if one is configured).
 *
 * @since 0.1.0
 * @category models
 */
export type RingPoolSource = "allocated" | "sticky" | "fallback" | "skipped"

/**
 * A number that belongs to this visit: calls to it are attributed to the visit's parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface TrackedNumber<Source extends "allocated" | "sticky" = "allocated" | "sticky"> {
  readonly source: Source
  /** Digits only, e.g. `8883906665`. */
  readonly promoNumber: string
  /** For display, e.g. `888-390-6665`. */
  readonly promoNumberFormatted: string
  readonly trackingUrl?: string
  /** True for the pool's overflow number, which every visitor beyond the pool's capacity shares. */
  readonly overflow: boolean
}

/**
 * The site's own number, or none: the page keeps whatever number it would show without call tracking.
 * `promoNumber` and `promoNumberFormatted` are absent when no `fallback` is configured.
 *
 * @since 0.1.0
 * @category models
 */
export interface UntrackedNumber<Source extends "fallback" | "skipped" = "fallback" | "skipped"> {
  readonly source: Source
  readonly promoNumber?: string
  readonly promoNumberFormatted?: string
  readonly trackingUrl?: string
  readonly overflow: false
  /**
   * Why no number was allocated (`source: "fallback"` only). A failed allocation is a `RingPoolError`
   * (`error.reason._tag` says why: `Timeout`, `Transport`, `HttpStatus`, `Rejected`, ...); it never contains a key.
   */
  readonly error?: Error
}

/**
 * `res.locals.ringPool`. One member per source, so that any test of `source` narrows it
 * (`source === "allocated" || source === "sticky"` leaves `fallback` and `skipped`, with `error`, in the else).
 *
 * @since 0.1.0
 * @category models
 */
export type RingPoolLocals =
  | TrackedNumber<"allocated">
  | TrackedNumber<"sticky">
  | UntrackedNumber<"fallback">
  | UntrackedNumber<"skipped">

declare global {
  namespace Express {
    interface Locals {
      /** Set by `ringPool()` before the next handler runs. */
      ringPool?: RingPoolLocals
    }
  }
}
