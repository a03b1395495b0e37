/**
 * Soak: 100,000 allocations through the core against the fake on loopback, with about 10% of bulk calls faulted
 * (every fault kind, drawn at random from a seeded generator). Nothing may be lost or misattributed: every
 * allocation gets exactly one outcome, every number handed out is the one the fake's log gave to that very row, no
 * promise rejects unhandled, and memory at the end is within a small factor of memory at the start.
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { type AllocationRequest, createRingPoolClient, type RingPoolError } from "@ringpool/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { FaultPlan } from "../src/index.ts"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "../src/index.ts"

const TOTAL = 100_000
const CALLERS = 256

// Each kind at 1/80 per call: about 10% of calls get at least one fault.
const faults: ReadonlyArray<FaultPlan.Fault> = [
  { fault: "delay", ms: 20 },
  { fault: "status", status: 500 },
  { fault: "status", status: 503 },
  { fault: "drop" },
  { fault: "malformed" },
  { fault: "truncate" },
  { fault: "missingRow" },
  { fault: "reorder" }
]

// A full collection between measurements, so that heap figures compare live data, not garbage.
setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const liveHeap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const row = (i: number): AllocationRequest.AllocationRequest => ({
  ringPoolId: "soak",
  ringPoolKey: "soak-key",
  params: { m1: `campaign-${i % 97}`, visit: String(i) },
  requestId: `soak-${i}`
})

const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled)
})
afterAll(() => {
  process.off("unhandledRejection", onUnhandled)
})

// A fake of its own for each round, with its own seed: fresh draws, and its logs (which live in this process
// too) go away with it, so that memory compares the client's.
const startFake = (seed: number): Promise<FakeRingPoolServer.FakeRingPoolServer> =>
  startFakeRingPoolServer({
    // More numbers than a round allocates (faulted answers allocate too), so no row shares a number by design.
    pools: [{ id: "soak", key: "soak-key", size: 30_000 }],
    seed,
    port: 0
  })

const ROUNDS = 10
const PER_ROUND = TOTAL / ROUNDS

/** One round: PER_ROUND allocations by CALLERS concurrent callers, checked against the fake's log. */
const round = async (r: number, tally: Tally) => {
  const first = r * PER_ROUND
  const fake = await startFake(r + 1)
  // A client per round too: the fake's port changes. The coalescer's state must not outlive it either way.
  const client = createRingPoolClient({ baseUrl: fake.url, timeoutMs: 2_000, retry: { baseDelayMs: 1, maxDelayMs: 5 } })
  for (const fault of faults) fake.inject({ ...fault, times: "always", probability: 1 / 80 })
  const settledTimes = new Uint8Array(PER_ROUND)
  const numbers: Array<string | undefined> = new Array(PER_ROUND)
  let next = 0
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < PER_ROUND) {
        const i = next++
        try {
          numbers[i] = (await client.allocate(row(first + i))).promoNumber
        } catch (error) {
          const tag = (error as RingPoolError.RingPoolError).reason._tag
          tally.reasons.set(tag, (tally.reasons.get(tag) ?? 0) + 1)
        }
        settledTimes[i]!++
      }
    })
  )

  // Exactly one outcome per allocation.
  expect(settledTimes.every((times) => times === 1)).toBe(true)

  // Every number handed out is the one the fake's log gave to that row, with that row's parameters.
  const log = new Map<string, Array<{ promoNumber: string; params: Readonly<Record<string, string>> }>>()
  for (const entry of fake.allocations()) {
    if (entry.requestId === undefined) continue
    const entries = log.get(entry.requestId) ?? []
    entries.push(entry)
    log.set(entry.requestId, entries)
  }
  const handedOut = new Set<string>()
  numbers.forEach((promoNumber, i) => {
    if (promoNumber === undefined) return
    tally.allocated++
    const match = log.get(`soak-${first + i}`)?.find((entry) => entry.promoNumber === promoNumber)
    expect(match, `row ${first + i}`).toBeDefined()
    expect(match?.params).toEqual(row(first + i).params)
    handedOut.add(promoNumber)
  })
  expect(handedOut.size).toBe(numbers.filter((n) => n !== undefined).length)

  const calls = fake.calls().filter((call) => call.kind === "bulk")
  tally.calls += calls.length
  for (const call of calls) {
    if (call.faults.length > 0) tally.faulted++
    for (const kind of call.faults) tally.kinds.add(kind)
  }
  await client.close()
  await fake.close()
}

interface Tally {
  allocated: number
  calls: number
  faulted: number
  readonly kinds: Set<string>
  readonly reasons: Map<string, number>
}

describe("soak", () => {
  it("100,000 allocations, ~10% of bulk calls faulted: one outcome each, no misattribution, flat memory", async () => {
    const tally: Tally = { allocated: 0, calls: 0, faulted: 0, kinds: new Set(), reasons: new Map() }
    await round(0, tally)
    const heapAtStart = liveHeap()
    for (let r = 1; r < ROUNDS; r++) await round(r, tally)
    const heapAtEnd = liveHeap()

    // The faults really happened, every kind, on about a tenth of the calls; failures are only theirs.
    expect(tally.faulted / tally.calls).toBeGreaterThan(0.05)
    expect(tally.faulted / tally.calls).toBeLessThan(0.16)
    expect(tally.kinds).toEqual(new Set(faults.map((f) => f.fault)))
    expect(tally.allocated).toBeGreaterThan(TOTAL * 0.6)
    for (const tag of tally.reasons.keys()) {
      expect(["Transport", "ServiceError", "HttpStatus", "InvalidResponse", "ResponseMismatch"]).toContain(tag)
    }
    expect(unhandled).toEqual([])
    console.log(
      `soak: ${tally.allocated} allocated, failures ${JSON.stringify(Object.fromEntries(tally.reasons))}, ` +
        `${tally.calls} bulk calls (${tally.faulted} faulted), live heap ${(heapAtStart / 1e6).toFixed(1)} MB after ` +
        `the first round, ${(heapAtEnd / 1e6).toFixed(1)} MB at the end`
    )
    expect(heapAtEnd).toBeLessThan(heapAtStart * 1.5)
  }, 120_000)
})
