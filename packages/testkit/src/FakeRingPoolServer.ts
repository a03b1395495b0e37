/**
 * The fake for test suites that do not use Effect (vitest, jest): a real server on a loopback port, driven with
 * plain functions.
 *
 * ```ts
 * import { createRingPoolClient } from "@ringpool/core"
 * import { startFakeRingPoolServer } from "@ringpool/testkit"
 *
 * const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "key", size: 5 }] })
 * const client = createRingPoolClient({ baseUrl: fake.url })
 * await client.allocate({ ringPoolId: "123", ringPoolKey: "key", params: { m1: "autos" } })
 * fake.allocations() // [{ ringPoolId: "123", promoNumber, params: { m1: "autos" }, requestId, overflow: false, at }]
 * await client.close()
 * await fake.close()
 * ```
 *
 * Decided here: the manual clock starts at 0 (as `TestClock` does), so allocation times read as "ms since start",
 * and only `advance` moves it; `reset()` leaves the clock where it is (time does not go backwards).
 *
 * @since 0.1.0
 */

import * as FakeServer from "./FakeServer.ts"
import type * as Fault from "./Fault.ts"
import type * as PoolModel from "./PoolModel.ts"
import * as RingPoolFake from "./RingPoolFake.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface StartOptions extends RingPoolFake.FakeOptions, FakeServer.ServerOptions {
  /** `"real"` (default): the wall clock. `"manual"`: starts at 0 and moves only with `advance(ms)`. */
  readonly clock?: "real" | "manual" | undefined
}

/**
 * A running fake.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeRingPoolServer {
  /** The base URL, e.g. `http://127.0.0.1:41234`: pass it as a client's `baseUrl`. */
  readonly url: string
  /** The allocation log, oldest first: `{ ringPoolId, promoNumber, params, requestId, overflow, at }`. */
  readonly allocations: () => Array<PoolModel.AllocationRecord>
  /** Every request received, decoded, oldest first. */
  readonly calls: () => Array<RingPoolFake.RecordedCall>
  /** A fault for the next bulk call(s): `times` (default 1, or `"always"`), `probability` (default 1). */
  readonly inject: (injection: Fault.Injection) => void
  /** Clears faults, logs and pool state. */
  readonly reset: () => void
  /** Stops the server and ends its connections. */
  readonly close: () => Promise<void>
  /** Moves the manual clock forward by `ms` (a `clock: "manual"` fake only). */
  readonly advance: (ms: number) => void
  /** The fake's time now, in milliseconds. */
  readonly now: () => number
  /** The allocation a call to `promoNumber` at `at` (default: now) belongs to; undefined for overflow numbers. */
  readonly attribute: (promoNumber: string, at?: number) => PoolModel.AllocationRecord | undefined
}

const knownOptions = new Set(["pools", "port", "host", "clock", "seed", "logLimit", "onUnexpectedRequest"])

/**
 * Starts a fake on a port (default: any free port on 127.0.0.1). Options are checked at once: a mistake throws a
 * `TypeError` that says what to write instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startFakeRingPoolServer = async (options: StartOptions = {}): Promise<FakeRingPoolServer> => {
  for (const name of Object.keys(options ?? {})) {
    if (!knownOptions.has(name)) {
      throw new TypeError(
        `@ringpool/testkit: unknown option ${JSON.stringify(name)}; known: ${[...knownOptions].join(", ")}`
      )
    }
  }
  const { clock = "real", port, host, ...fakeOptions } = options
  if (clock !== "real" && clock !== "manual") {
    throw new TypeError(`@ringpool/testkit: clock must be "real" or "manual", got ${JSON.stringify(clock)}`)
  }
  const fake = RingPoolFake.make(fakeOptions)
  let manualTime = 0
  const now = clock === "manual" ? () => manualTime : Date.now
  const server = await FakeServer.listen(fake, now, { port, host })
  return {
    url: server.url,
    allocations: () => fake.allocations(),
    calls: () => fake.calls(),
    inject: (injection) => fake.inject(injection),
    reset: () => fake.reset(),
    close: server.close,
    advance: (ms) => {
      if (clock !== "manual") {
        throw new TypeError('@ringpool/testkit: advance needs a fake started with clock: "manual"')
      }
      if (!Number.isFinite(ms) || ms < 0) {
        throw new TypeError(`@ringpool/testkit: advance takes milliseconds >= 0, got ${ms}`)
      }
      manualTime += ms
    },
    now,
    attribute: (promoNumber, at) => fake.attribute(promoNumber, at ?? now())
  }
}
