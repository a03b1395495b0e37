/**
 * How failures are heard of: counts for dashboards (`stats()`), and a default `onError` that warns on the console
 * without flooding it while the service is down (every page view fails then).
 *
 * @since 0.1.0
 */
import { RingPoolError } from "@ringpool/core"
import type { Request } from "express"
import type { RingPoolSource } from "./Locals.ts"

/**
 * Page views by where their number came from, and failures by kind (a `RingPoolError`'s `reason._tag`, such as
 * `Timeout` or `Transport`; `VisitorStoreError` for the store; otherwise the error's name).
 *
 * @since 0.1.0
 * @category models
 */
export interface RingPoolStats {
  readonly views: Readonly<Record<RingPoolSource, number>>
  readonly errors: Readonly<Record<string, number>>
}

/**
 * The kind of a failure, for counting.
 *
 * @since 0.1.0
 * @category reporting
 */
export const kindOf = (error: Error): string =>
  error instanceof RingPoolError.RingPoolError ? error.reason._tag : error.name

/**
 * A mutable tally behind `stats()`.
 *
 * @since 0.1.0
 * @category reporting
 */
export class Tally {
  private readonly views: Record<RingPoolSource, number> = { allocated: 0, sticky: 0, fallback: 0, skipped: 0 }
  private readonly errors: Record<string, number> = {}

  view(source: RingPoolSource): void {
    this.views[source]++
  }

  error(error: Error): void {
    const kind = kindOf(error)
    this.errors[kind] = (this.errors[kind] ?? 0) + 1
  }

  snapshot(): RingPoolStats {
    return { views: { ...this.views }, errors: { ...this.errors } }
  }
}

/**
 * The default `onError`: one console warning, then at most one a minute with the number of failures since.
 * Error messages of this toolkit never contain a ring pool key, so they are safe to log.
 *
 * @since 0.1.0
 * @category reporting
 */
export const consoleReporter = (
  warn: (line: string) => void = (line) => console.warn(line),
  intervalMs = 60_000
): ((error: Error, req: Request) => void) => {
  let lastAt = Number.NEGATIVE_INFINITY
  let unreported = 0
  return (error) => {
    const now = Date.now()
    if (now - lastAt < intervalMs) {
      unreported++
      return
    }
    const since = unreported === 0 ? "" : ` (${unreported} more failures since the last warning)`
    warn(`@ringpool/express: ${error.message}${since}`)
    lastAt = now
    unreported = 0
  }
}
