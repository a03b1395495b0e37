/**
 * A page's time budget: `timeoutMs` for the whole look-up (the pool and params functions, the store, the
 * allocation). When it runs out its signal aborts with a `Timeout`, which cancels the allocation (a row not yet
 * sent is never sent) and ends every wait of the page.
 *
 * @since 0.2.0
 */
import { RingPoolError } from "@ringpool/core"

/**
 * @since 0.2.0
 * @category models
 */
export interface Budget {
  /** Aborts with a `RingPoolError` `Timeout` when the budget runs out. */
  readonly signal: AbortSignal
  /** The value, or the budget's `Timeout` if it runs out first. */
  readonly within: <A>(value: A | Promise<A>) => Promise<A>
  /** Waits for the work at most until the budget runs out; never rejects (the work reports its own failures). */
  readonly spend: (work: Promise<void>) => Promise<void>
  /** Stops the clock: call it when the page has its number. */
  readonly end: () => void
}

// A user's function may return any thenable, not only a Promise.
const isThenable = <A>(value: A | Promise<A>): value is Promise<A> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === "function"

/**
 * Starts a budget of `timeoutMs`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const start = (timeoutMs: number): Budget => {
  const controller = new AbortController()
  const { signal } = controller
  const timer = setTimeout(
    () => controller.abort(RingPoolError.make(new RingPoolError.Timeout({ timeoutMs }))),
    timeoutMs
  )
  // Made on first use: most pages wait on nothing but the allocation, which takes the signal itself.
  let runsOut: Promise<never> | undefined
  const runOut = (): Promise<never> => {
    if (runsOut === undefined) {
      runsOut = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason)
        else signal.addEventListener("abort", () => reject(signal.reason), { once: true })
      })
      // Nobody may be waiting when it runs out: that is not a failure of anyone's.
      runsOut.catch(() => undefined)
    }
    return runsOut
  }
  return {
    signal,
    within: (value) => (isThenable(value) ? Promise.race([value, runOut()]) : Promise.resolve(value)),
    spend: (work) =>
      Promise.race([work, runOut()]).then(
        () => undefined,
        () => undefined
      ),
    end: () => clearTimeout(timer)
  }
}
