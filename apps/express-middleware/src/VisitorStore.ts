/**
 * Where a visitor's number is kept between page views: an interface, so a site with several processes can
 * share one (Redis, a database), and a bounded in-memory default.
 *
 * @since 0.1.0
 */
import { LRUCache } from "lru-cache"
import * as SafeValue from "./SafeValue.ts"

/**
 * The number a visitor got from one pool, and for which parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface VisitorNumber {
  /** A digest of the parameters the number was allocated for (never the parameters themselves). */
  readonly paramsDigest: string
  readonly promoNumber: string
  readonly promoNumberFormatted: string
  readonly trackingUrl?: string
  /** When the number may go to another visitor, in epoch milliseconds. Checked on read, so a store may keep entries longer. */
  readonly expiresAt: number
}

// The shapes of a number as the core accepts them from the service (`8883906665`, `888-390-6665`).
const phoneNumber = /^\+?\d{1,20}$/
const formattedNumber = /^[\d\s().+-]{1,40}$/

// What no URL the service gives holds, and what a page could be made to show through one: markup, a double quote,
// spaces and line breaks, a backslash.
const notInUrls = /[<>"\s\\]/

// The core's own mark where it took a key out of a service's URL: in an entry we wrote, not one to refuse.
const redacted = /<redacted>/g

const isTrackingUrl = (value: unknown): boolean => {
  if (typeof value !== "string" || value.length > 8_192 || notInUrls.test(value.replace(redacted, ""))) return false
  try {
    const url = new URL(value)
    // No credentials either: a link with `user:pass@` is one the service never makes.
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === ""
  } catch {
    return false
  }
}

/**
 * Whether a store's entry is a visitor number the middleware may serve: its fields of the right types, the number
 * and its display form shaped as the service's are (a store can be written by others: `<script>` is not a number),
 * a tracking URL that is http(s) with no markup, double quote, space or credentials in it, and a finite
 * `expiresAt`. Anything else is a miss, and the new number replaces it.
 *
 * @since 0.2.0
 * @category guards
 */
export const isVisitorNumber = (value: unknown): value is VisitorNumber => {
  if (value === null || typeof value !== "object") return false
  const { paramsDigest, promoNumber, promoNumberFormatted, trackingUrl, expiresAt } = value as Record<string, unknown>
  return (
    typeof paramsDigest === "string" &&
    typeof promoNumber === "string" &&
    phoneNumber.test(promoNumber) &&
    typeof promoNumberFormatted === "string" &&
    formattedNumber.test(promoNumberFormatted) &&
    (trackingUrl === undefined || isTrackingUrl(trackingUrl)) &&
    typeof expiresAt === "number" &&
    Number.isFinite(expiresAt)
  )
}

/**
 * A store of visitors' numbers. Methods may return Promises. Keys are `<visitor id>/<pool id>`; an entry must not
 * be returned after `ttlSeconds` (the middleware also checks `expiresAt`, so a store that cannot expire entries
 * is still correct, only larger).
 *
 * @since 0.1.0
 * @category models
 */
export interface VisitorStore {
  readonly get: (key: string) => VisitorNumber | undefined | Promise<VisitorNumber | undefined>
  readonly set: (key: string, value: VisitorNumber, ttlSeconds: number) => void | Promise<void>
  readonly delete: (key: string) => void | Promise<void>
}

/**
 * The store failed (threw or rejected). A failed read serves the fallback; a failed write leaves the page its
 * new number, which the visitor then does not keep.
 *
 * @since 0.1.0
 * @category errors
 */
export class VisitorStoreError extends Error {
  override readonly name = "VisitorStoreError"
  constructor(operation: "get" | "set" | "delete", cause: unknown) {
    super(`The visitor store failed to ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause
    })
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MemoryStoreOptions {
  /** Visitors kept at most; the least recently seen are forgotten first (default 10,000). */
  readonly max?: number
}

/**
 * The default store: in this process's memory, bounded, entries dropped after their time to live. Not shared
 * between processes: behind a load balancer without session affinity, use a shared store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryStore = (options: MemoryStoreOptions = {}): VisitorStore => {
  const max = options.max ?? 10_000
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new TypeError(`memoryStore(): max must be a positive integer such as 10000, got ${SafeValue.describe(max)}`)
  }
  // Reads do not extend an entry's life: the number is the visitor's only for the pool's lifetime after allocation.
  const cache = new LRUCache<string, VisitorNumber>({ max, ttlAutopurge: false, updateAgeOnGet: false })
  return {
    get: (key) => cache.get(key),
    set: (key, value, ttlSeconds) => {
      cache.set(key, value, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) })
    },
    delete: (key) => {
      cache.delete(key)
    }
  }
}
