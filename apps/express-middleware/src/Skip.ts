/**
 * Which requests get no number by default: those that are not a person viewing a page. Each allocation holds a
 * number of a finite pool for the pool's lifetime, so a number given to a crawler or to a prefetch that is never
 * shown is a number another visitor cannot get.
 *
 * @since 0.1.0
 */
import type { Request } from "express"
import { isbot } from "isbot"
import { LRUCache } from "lru-cache"

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

// Browsers' user agents are a few hundred characters. isbot's pattern costs time in proportion to the length
// (half a millisecond for 16 KiB, the most Node's header limit lets through): a longer one is no browser's, and is
// skipped without being matched.
const maxBrowserUserAgent = 2_048

// A site sees few distinct user agents; matching each once keeps a burst of page views from running isbot's long
// pattern thousands of times (it was the largest cost of the default rules in the burst profile).
const crawlerVerdicts = new LRUCache<string, boolean>({ max: 500 })

/**
 * True for a crawler's user agent (the `isbot` list), and for one too long to be a browser's.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isCrawler = (userAgent: string | undefined): boolean => {
  // No user agent at all is not taken for a crawler (isbot does not either): browsers always send one, but the HTTP
  // clients of a site's own test suites and server-side renderers often send none, and their page views would all
  // turn "skipped". A site that wants them skipped adds `|| req.headers["user-agent"] === undefined` to its `skip`.
  if (userAgent === undefined) return false
  if (userAgent.length > maxBrowserUserAgent) return true
  let verdict = crawlerVerdicts.get(userAgent)
  if (verdict === undefined) {
    verdict = isbot(userAgent)
    crawlerVerdicts.set(userAgent, verdict)
  }
  return verdict
}

/**
 * The default rules: a crawler's user agent (`isCrawler`), `HEAD` and `OPTIONS` (no page is shown), and
 * prefetches. Pass your own `skip` to replace them, e.g. `skip: (req) => defaultSkip(req) || req.path === "/health"`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const defaultSkip = (req: Request): boolean =>
  req.method === "HEAD" || req.method === "OPTIONS" || isPrefetch(req) || isCrawler(req.headers["user-agent"])
