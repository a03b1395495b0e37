/**
 * A page's time budget: `timeoutMs` for the whole look-up (the pool and params functions, the store, the
 * allocation). When it runs out its signal aborts with a `Timeout`, which cancels the allocation (a row not yet
 * sent is never sent) and ends every wait of the page.
 *
 * Budgets that end in the same millisecond share one clock: one timer, one `AbortController` and one `Timeout`
 * error for all of them. In a burst of thousands of simultaneous page views that is a few dozen of each instead of
 * one per page, which the profile showed as most of what the middleware added while the event loop was busiest
 * (see tooling/bench/middleware.mjs). A budget ends on its millisecond, never later than `timeoutMs`.
 *
 * @since 0.2.0
 */
import { setMaxListeners } from "node:events"
import { RingPoolError } from "@ringpool/core"

/**
 * @since 0.2.0
 * @category models
 */
export interface Budget {
  /** Aborts with a `RingPoolError` `Timeout` when the budget runs out. Shared with budgets ending alike. */
  readonly signal: AbortSignal
  /** The value, or the budget's `Timeout` if it runs out first. */
  readonly within: <A>(value: A | PromiseLike<A>) => Promise<A>
  /** Waits for the work at most until the budget runs out; never rejects (the work reports its own failures). */
  readonly spend: (work: Promise<void>) => Promise<void>
}

/**
 * Makes budgets of `timeoutMs`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Clock {
  readonly start: () => Budget
}

interface Deadline {
  readonly controller: AbortController
  /** Made on first use: most pages wait on nothing but the allocation, which takes the signal itself. */
  runsOut: Promise<never> | undefined
}

// A user's function may return any thenable, not only a Promise.
const isThenable = <A>(value: A | PromiseLike<A>): value is PromiseLike<A> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === "function"

const runsOutOf = (deadline: Deadline): Promise<never> => {
  if (deadline.runsOut === undefined) {
    const { signal } = deadline.controller
    deadline.runsOut = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason)
      else signal.addEventListener("abort", () => reject(signal.reason), { once: true })
    })
    // Nobody may be waiting when it runs out: that is not a failure of anyone's.
    deadline.runsOut.catch(() => undefined)
  }
  return deadline.runsOut
}

const budgetOf = (deadline: Deadline): Budget => ({
  signal: deadline.controller.signal,
  within: (value) => (isThenable(value) ? Promise.race([value, runsOutOf(deadline)]) : Promise.resolve(value)),
  spend: (work) =>
    Promise.race([work, runsOutOf(deadline)]).then(
      () => undefined,
      () => undefined
    )
})

/**
 * A clock for budgets of `timeoutMs`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const clock = (timeoutMs: number): Clock => {
  // At most one entry per millisecond of the budget: bounded by timeoutMs.
  const deadlines = new Map<number, Deadline>()
  // One error for the pages of a millisecond (a stack trace per page was a visible cost of a burst of timeouts).
  const timeout = () => RingPoolError.make(new RingPoolError.Timeout({ timeoutMs }))
  return {
    start: () => {
      const now = performance.now()
      const end = Math.floor(now + timeoutMs)
      let deadline = deadlines.get(end)
      if (deadline === undefined) {
        const controller = new AbortController()
        // Every page ending in this millisecond listens to it (the allocation, the store): not a leak.
        setMaxListeners(0, controller.signal)
        const created: Deadline = { controller, runsOut: undefined }
        deadlines.set(end, created)
        // Unref'd: a process with nothing else to do need not wait for the budgets of pages already served.
        setTimeout(() => {
          deadlines.delete(end)
          controller.abort(timeout())
        }, end - now).unref()
        deadline = created
      }
      return budgetOf(deadline)
    }
  }
}
