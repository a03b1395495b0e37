/**
 * The faults injected and not yet used up, and the seeded draws that decide which of them hit a call.
 */
import * as Fault from "../Fault.ts"

interface Active {
  readonly injection: Fault.Injection
  remaining: number
}

/** mulberry32: a small, fast, seedable generator; the fake needs repeatable draws, not strong ones. */
const generator = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const none: ReadonlyArray<Fault.Fault> = []

export class FaultPlan {
  private active: Array<Active> = []
  /** A number in [0, 1), from the seeded generator (also used to pick the row to drop and to shuffle). */
  random: () => number

  constructor(private readonly seed: number) {
    this.random = generator(seed)
  }

  inject(injection: Fault.Injection): void {
    const valid = Fault.validate(injection)
    const times = valid.times ?? 1
    this.active.push({ injection: valid, remaining: times === "always" ? Number.POSITIVE_INFINITY : times })
  }

  /** The faults that hit the next bulk call, in the order they were injected; each one considered uses up a time. */
  draw(): ReadonlyArray<Fault.Fault> {
    if (this.active.length === 0) return none
    const hit: Array<Fault.Fault> = []
    for (const entry of this.active) {
      entry.remaining--
      const probability = entry.injection.probability
      if (probability === undefined || this.random() < probability) hit.push(entry.injection)
    }
    this.active = this.active.filter((entry) => entry.remaining > 0)
    return hit
  }

  reset(): void {
    this.active = []
    this.random = generator(this.seed)
  }
}
