/**
 * A request's time budget, and its end when the caller goes away: one signal that every allocation of the request
 * listens to. A row still queued when it fires is never sent, so no number is spent on a caller that stopped
 * waiting; a row already sent has its number dropped (the core's rule).
 *
 * @since 0.1.0
 */

/**
 * The reason a request's allocations were abandoned: its budget ran out.
 *
 * @since 0.1.0
 * @category models
 */
export class BudgetExceeded {
  constructor(readonly timeoutMs: number) {}
}

/**
 * The reason a request's allocations were abandoned: its caller closed the connection first.
 *
 * @since 0.1.0
 * @category models
 */
export class CallerGone {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Budget {
  readonly timeoutMs: number
  readonly signal: AbortSignal
  /** The caller went away: abandon what is still queued. */
  readonly abandon: () => void
  /** The answer is written: release the timer. */
  readonly end: () => void
}

/**
 * Starts a budget of `timeoutMs` milliseconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (timeoutMs: number): Budget => {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new BudgetExceeded(timeoutMs)), timeoutMs)
  return {
    timeoutMs,
    signal: controller.signal,
    abandon: () => {
      clearTimeout(timer)
      if (!controller.signal.aborted) controller.abort(new CallerGone())
    },
    end: () => clearTimeout(timer)
  }
}
