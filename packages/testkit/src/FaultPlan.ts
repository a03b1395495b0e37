/**
 * Faults on demand: what can go wrong with a bulk call, for how many calls, and the plan of those injected and not
 * yet used up, with the seeded draws that decide which of them hit a call.
 *
 * Decided here (the service documents none of it):
 * - A fault applies to bulk calls only (`POST /api/<date>/bulk.json`), never to the single-API or unknown paths.
 * - `times` counts the bulk calls the fault is considered for; `probability` decides, for each of them, whether it
 *   happens (so `{ times: 10, probability: 0.3 }` hits about 3 of the next 10 calls). Draws come from a seeded
 *   generator: the same test makes the same draws on every run.
 * - Several injected faults can hit one call, and then they compose: delays add up; `drop` wins over everything;
 *   `status` answers before any row is looked at; `missingRow` and `reorder` change the rows, `truncate` and
 *   `malformed` the text.
 * - `status` allocates nothing (the call is refused before the pools are touched). `drop`, `malformed`,
 *   `truncate`, `missingRow`, `reorder` and `delay` happen after the rows were allocated: the log shows numbers
 *   that no row received, which is the case a client must survive.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export type Fault =
  /** The answer comes `ms` milliseconds late (on the fake's clock in-process, on the wall clock on a port). */
  | { readonly fault: "delay"; readonly ms: number }
  /**
   * The call is answered with this status. 500 gets the documented `InternalServiceError` body with an integer
   * error handle; other statuses get a short plain-text body, as a gateway sends. `body` replaces either.
   */
  | { readonly fault: "status"; readonly status: number; readonly body?: string | undefined }
  /** The connection is destroyed before any answer (in-process: a connection-reset transport error). */
  | { readonly fault: "drop" }
  /** 200 with a body that is not JSON (an HTML page). */
  | { readonly fault: "malformed" }
  /** 200 with the JSON answer cut in half. */
  | { readonly fault: "truncate" }
  /** One row of the answer is left out. */
  | { readonly fault: "missingRow" }
  /** The answer's rows come in another order (a call of one row cannot be reordered). */
  | { readonly fault: "reorder" }

/**
 * @since 0.1.0
 * @category models
 */
export type FaultName = Fault["fault"]

/**
 * A fault and when it happens.
 *
 * @since 0.1.0
 * @category models
 */
export type Injection = Fault & {
  /** How many of the next bulk calls it is considered for (default 1), or `"always"` until `reset()`. */
  readonly times?: number | "always" | undefined
  /** The chance that it happens on each of those calls, 0 to 1 (default 1). */
  readonly probability?: number | undefined
}

const names: ReadonlySet<string> = new Set<FaultName>([
  "delay",
  "status",
  "drop",
  "malformed",
  "truncate",
  "missingRow",
  "reorder"
])

const maxDelayMs = 2 ** 31 - 1

const invalid = (text: string): never => {
  throw new TypeError(`@ringpool/testkit: inject: ${text}`)
}

/**
 * Checks an injection; a mistake throws a `TypeError` that says what to write instead.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (injection: Injection): Injection => {
  if (injection === null || typeof injection !== "object") return invalid('expected an object like { fault: "drop" }')
  if (!names.has(injection.fault)) {
    return invalid(`unknown fault ${JSON.stringify(injection.fault)}; known: ${[...names].join(", ")}`)
  }
  const { times, probability } = injection
  if (times !== undefined && times !== "always" && (!Number.isSafeInteger(times) || times < 1)) {
    return invalid('times must be a positive integer or "always"')
  }
  if (probability !== undefined && !(typeof probability === "number" && probability >= 0 && probability <= 1)) {
    return invalid("probability must be a number from 0 to 1")
  }
  // A timer longer than 2^31 - 1 ms fires at once in Node: refuse it rather than answer early.
  if (
    injection.fault === "delay" &&
    !(Number.isFinite(injection.ms) && injection.ms >= 0 && injection.ms <= maxDelayMs)
  ) {
    return invalid('a delay needs ms, a number of milliseconds from 0 to 2147483647, e.g. { fault: "delay", ms: 500 }')
  }
  if (injection.fault === "status") {
    const { status, body } = injection
    if (!Number.isSafeInteger(status) || status < 400 || status > 599) {
      return invalid("a status fault needs status, an HTTP error status from 400 to 599, e.g. 500")
    }
    if (body !== undefined && typeof body !== "string") return invalid("body must be a string")
  }
  return injection
}

interface Active {
  readonly injection: Injection
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

const none: ReadonlyArray<Fault> = []

/**
 * The faults injected and not yet used up.
 *
 * @since 0.1.0
 * @category models
 */
export class FaultPlan {
  private active: Array<Active> = []
  /** A number in [0, 1), from the seeded generator (also used to pick the row to drop and to shuffle). */
  random: () => number

  constructor(private readonly seed: number) {
    this.random = generator(seed)
  }

  inject(injection: Injection): void {
    const valid = validate(injection)
    const times = valid.times ?? 1
    this.active.push({ injection: valid, remaining: times === "always" ? Number.POSITIVE_INFINITY : times })
  }

  /** The faults that hit the next bulk call, in the order they were injected; each one considered uses up a time. */
  draw(): ReadonlyArray<Fault> {
    if (this.active.length === 0) return none
    const hit: Array<Fault> = []
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
