/**
 * What Ctrl-C (SIGINT) and SIGTERM mean to a command that must end cleanly: `bulk` finishes the rows in flight and
 * writes their results; `fake-server` closes its connections. Such a command waits with `onStop`; a second signal
 * exits at once (130). Commands that do not wait keep Node's default: the process ends at the first signal.
 */

export interface Stop {
  /** Resolves at the first SIGINT or SIGTERM. */
  readonly stopped: Promise<void>
  /** Whether a signal has come. */
  readonly requested: () => boolean
  /** Removes the listeners. */
  readonly dispose: () => void
}

export const onStop = (): Stop => {
  let received = 0
  let resolve: () => void = () => undefined
  const stopped = new Promise<void>((done) => {
    resolve = done
  })
  const onSignal = () => {
    if (++received > 1) process.exit(130)
    resolve()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return {
    stopped,
    requested: () => received > 0,
    dispose: () => {
      process.off("SIGINT", onSignal)
      process.off("SIGTERM", onSignal)
    }
  }
}
