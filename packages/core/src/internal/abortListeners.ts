/**
 * One `abort` listener per signal, however many calls share it. A signal shared by a page's or a job's calls is
 * common; a listener each would pile up (Node warns past 10: `MaxListenersExceededWarning`).
 */
interface Registration {
  readonly callbacks: Set<() => void>
  readonly fire: () => void
}

export class AbortListeners {
  private readonly bySignal = new WeakMap<AbortSignal, Registration>()

  /** Calls `onAbort` once when `signal` aborts; the returned function stops listening. */
  add(signal: AbortSignal, onAbort: () => void): () => void {
    let registration = this.bySignal.get(signal)
    if (registration === undefined) {
      const callbacks = new Set<() => void>()
      const fire = () => {
        this.bySignal.delete(signal)
        for (const callback of callbacks) callback()
      }
      registration = { callbacks, fire }
      this.bySignal.set(signal, registration)
      signal.addEventListener("abort", fire, { once: true })
    }
    const { callbacks, fire } = registration
    callbacks.add(onAbort)
    return () => {
      callbacks.delete(onAbort)
      // The last call to stop listening removes the one listener too.
      if (callbacks.size === 0 && this.bySignal.get(signal) === registration) {
        this.bySignal.delete(signal)
        signal.removeEventListener("abort", fire)
      }
    }
  }
}
