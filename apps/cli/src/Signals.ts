/**
 * What Ctrl-C (SIGINT) and SIGTERM mean. By default they interrupt the running command: its finalizers run (rows in
 * flight get their answers, connections close) and the process exits 130. A command whose normal end IS a signal
 * (`fake-server`) waits for it with `awaitStop` and then ends normally, exit 0. A second signal exits at once.
 *
 * Signals belong to the process, so this module keeps the process's one registry of listeners.
 */
import { Effect } from "effect"

const waiters = new Set<() => void>()

/** Completes at the next SIGINT or SIGTERM, instead of that signal interrupting the command. */
export const awaitStop: Effect.Effect<void> = Effect.callback<void>((resume) => {
  const stop = () => resume(Effect.void)
  waiters.add(stop)
  return Effect.sync(() => {
    waiters.delete(stop)
  })
})

/** Installs the listeners; `interrupt` is called for a signal no command waits for. Returns their removal. */
export const install = (interrupt: () => void): (() => void) => {
  let received = 0
  const onSignal = () => {
    if (++received > 1) process.exit(130)
    if (waiters.size === 0) {
      interrupt()
      return
    }
    for (const stop of [...waiters]) stop()
    waiters.clear()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return () => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
  }
}
