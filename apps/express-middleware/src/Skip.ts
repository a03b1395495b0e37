/**
 * Which requests get no number by default: those that are not a person viewing a page. Each allocation holds a
 * number of a finite pool for the pool's lifetime, so a number given to a crawler or to a prefetch that is never
 * shown is a number another visitor cannot get.
 *
 * @since 0.1.0
 */
import type { Request } from "express"
import { isbot } from "isbot"

// Chrome/Edge send `Sec-Purpose: prefetch` (`prefetch;prerender` for prerendering), older Chrome `Purpose: prefetch`,
// Firefox `X-Moz: prefetch`, Safari `X-Purpose: preview` for its previews.
const prefetchHeaders = ["sec-purpose", "purpose", "x-moz", "x-purpose"] as const
const prefetchValue = /prefetch|prerender|preview/i

/**
 * True for a prefetch, prerender or preview request.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isPrefetch = (req: Request): boolean =>
  prefetchHeaders.some((name) => {
    const value = req.headers[name]
    return typeof value === "string" && prefetchValue.test(value)
  })

/**
 * The default rules: a crawler's user agent (the `isbot` list), `HEAD` and `OPTIONS` (no page is shown), and
 * prefetches. Pass your own `skip` to replace them, e.g. `skip: (req) => defaultSkip(req) || req.path === "/health"`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const defaultSkip = (req: Request): boolean =>
  req.method === "HEAD" || req.method === "OPTIONS" || isPrefetch(req) || isbot(req.headers["user-agent"])
