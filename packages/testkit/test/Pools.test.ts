import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { AllocationLog, type CallLog, type Pool } from "../src/index.ts"
import { Arrival, refusedPosition } from "../src/internal/arrival.ts"
import { Pools } from "../src/internal/pools.ts"
import { Redactor } from "../src/internal/redaction.ts"
import { answerRow } from "../src/internal/rowCheck.ts"
import { TrackingUrls } from "../src/internal/trackingUrl.ts"

/** The parameters of a row's suffix: the allocation log reads them back from it. */
const params = (m1: string) => `m1=${encodeURIComponent(m1)}`

const allocated = (outcome: AllocationLog.AllocationRecord | CallLog.RowError): AllocationLog.AllocationRecord => {
  if ("errorClass" in outcome) return assert.fail(`expected an allocation, got ${outcome.errorClass}`)
  return outcome
}

/** The pools and the allocation log as the fake wires them, one row a call: each allocation is logged. */
class Model {
  readonly state: Pools
  readonly log: AllocationLog.AllocationLog
  private readonly context: Parameters<typeof answerRow>[2]
  constructor(options: { pools: ReadonlyArray<Pool.PoolOptions>; allocationLimit?: number }) {
    this.state = new Pools(options.pools)
    const redactor = new Redactor(this.state.pools.map((pool) => pool.key))
    this.log = new AllocationLog.AllocationLog(
      { entries: options.allocationLimit ?? 100_000, bytes: 1 << 30 },
      redactor
    )
    this.context = {
      pools: this.state,
      trackingUrls: new TrackingUrls(options.pools.map((p) => String(p.id))),
      redactor
    }
  }
  get pools() {
    return this.state.pools
  }
  /** One row, the only one of its call, through the row checks. */
  allocate(
    ringPoolId: string,
    key: string | undefined,
    query: string,
    requestId: string | undefined,
    now: number
  ): AllocationLog.AllocationRecord | CallLog.RowError {
    const keyParameter = key === undefined ? "" : `ring_pool_key=${encodeURIComponent(key)}&`
    const api_suffix = `${ringPoolId}/allocate_number.json?${keyParameter}${query}`
    const entry = requestId === undefined ? { api_suffix } : { api_suffix, request_id: requestId }
    const call = new Arrival("bulk", now, "POST", "/api/2013-07-01/bulk.json", "2013-07-01", [], this.state.pools)
    call.sent = JSON.stringify({ requests: [entry] })
    call.rows = new Int32Array(2)
    call.allocatedAt = this.state.time(now)
    answerRow(entry, call.allocatedAt, this.context, call, 0)
    if (call.position(0) === refusedPosition) return call.errors![0]!
    this.log.push(call)
    return this.log.shown(call, 0)
  }
  allocations() {
    return this.log.read()
  }
  attribute(promoNumber: string, at: number) {
    return this.log.attribute(promoNumber, at)
  }
  reset() {
    this.state.reset()
    this.log.clear()
  }
}

describe("pools and the allocation log", () => {
  it("gives a pool of size N N distinct numbers, then the overflow number with overflow: true", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 5 }] })
    const records = Array.from({ length: 7 }, (_, i) =>
      allocated(model.allocate("1", "k", params(`v${i}`), `r${i}`, 0))
    )
    const pool = model.pools[0]!
    assert.strictEqual(new Set(records.slice(0, 5).map((r) => r.promoNumber)).size, 5)
    for (const record of records.slice(0, 5)) {
      assert.isFalse(record.overflow)
      assert.notStrictEqual(record.promoNumber, pool.overflowNumber)
    }
    for (const record of records.slice(5)) {
      assert.isTrue(record.overflow)
      assert.strictEqual(record.promoNumber, pool.overflowNumber)
    }
    assert.deepStrictEqual(
      model.allocations().map((r) => r.requestId),
      records.map((r) => r.requestId)
    )
    assert.deepStrictEqual(model.allocations()[0], {
      ringPoolId: "1",
      promoNumber: records[0]!.promoNumber,
      params: { m1: "v0" },
      requestId: "r0",
      overflow: false,
      at: 0
    })
  })

  it("answers NoNumberAvailable when the pool is full and overflow is off, and logs nothing for it", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 1, allowOverflow: false }] })
    allocated(model.allocate("1", "k", params("a"), "r1", 0))
    const refused = model.allocate("1", "k", params("b"), "r2", 0)
    assert.deepStrictEqual(refused, {
      errorClass: "NoNumberAvailable",
      message: "RingPool '1' has no free number and does not allow overflow"
    })
    assert.strictEqual(model.allocations().length, 1)
  })

  it("checks the pool and the key, with the documented InvalidKey message", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 1 }] })
    assert.deepStrictEqual(model.allocate("1", "A329F4DC002168", params("a"), undefined, 0), {
      errorClass: "InvalidKey",
      message: "API Key 'A329F4DC002168' is not valid for resource '1'"
    })
    assert.strictEqual(
      (model.allocate("1", undefined, params("a"), undefined, 0) as CallLog.RowError).errorClass,
      "InvalidKey"
    )
    assert.strictEqual(
      (model.allocate("2", "k", params("a"), undefined, 0) as CallLog.RowError).errorClass,
      "RingPoolNotFound"
    )
  })

  it("reuses a number exactly lifetimeSeconds after it was allocated, least recently allocated first", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 2, lifetimeSeconds: 60 }] })
    const a = allocated(model.allocate("1", "k", params("a"), "a", 0))
    const b = allocated(model.allocate("1", "k", params("b"), "b", 10_000))
    assert.isTrue(allocated(model.allocate("1", "k", params("c"), "c", 59_999)).overflow)
    const d = allocated(model.allocate("1", "k", params("d"), "d", 60_000))
    assert.strictEqual(d.promoNumber, a.promoNumber)
    assert.isFalse(d.overflow)
    assert.isTrue(allocated(model.allocate("1", "k", params("e"), "e", 65_000)).overflow)
    const f = allocated(model.allocate("1", "k", params("f"), "f", 70_000))
    assert.strictEqual(f.promoNumber, b.promoNumber)
  })

  it("attributes a call to a number at a time to the allocation that held it then", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 1, lifetimeSeconds: 60 }] })
    const a = allocated(model.allocate("1", "k", params("a"), "a", 1_000))
    const overflow = allocated(model.allocate("1", "k", params("o"), "o", 2_000))
    const b = allocated(model.allocate("1", "k", params("b"), "b", 61_000))
    assert.isUndefined(model.attribute(a.promoNumber, 999))
    assert.strictEqual(model.attribute(a.promoNumber, 1_000), a)
    // After its lifetime, until the number is allocated again, a call still names the last visit.
    assert.strictEqual(model.attribute(a.promoNumber, 60_999), a)
    assert.strictEqual(model.attribute(a.promoNumber, 61_000), b)
    assert.strictEqual(
      model.attribute(`${a.promoNumber.slice(0, 3)}-${a.promoNumber.slice(3, 6)}-${a.promoNumber.slice(6)}`, 5_000),
      a
    )
    // Documented: calls to the overflow number cannot be attributed to one visit.
    assert.isUndefined(model.attribute(overflow.promoNumber, 3_000))
    assert.isUndefined(model.attribute("5555555555", 3_000))
  })

  it("treats a clock that steps back as standing still", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 1, lifetimeSeconds: 1 }] })
    allocated(model.allocate("1", "k", params("a"), "a", 5_000))
    const late = allocated(model.allocate("1", "k", params("b"), "b", 1_000))
    assert.strictEqual(late.at, 5_000)
    assert.isTrue(late.overflow)
  })

  it("keeps the most recent allocations up to its limit, and still attributes them", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 3 }], allocationLimit: 10 })
    for (let i = 0; i < 100; i++) model.allocate("1", "k", params(String(i)), String(i), i * 1_800_000)
    const log = model.allocations()
    assert.deepStrictEqual(
      log.map((r) => r.requestId),
      Array.from({ length: 10 }, (_, i) => String(90 + i))
    )
    const last = log[9]!
    assert.strictEqual(model.attribute(last.promoNumber, last.at), last)
  })

  it("reset frees every number and empties the log", () => {
    const model = new Model({ pools: [{ id: "1", key: "k", size: 1 }] })
    const first = allocated(model.allocate("1", "k", params("a"), "a", 0))
    model.reset()
    assert.strictEqual(model.allocations().length, 0)
    const again = allocated(model.allocate("1", "k", params("b"), "b", 0))
    assert.strictEqual(again.promoNumber, first.promoNumber)
    assert.isFalse(again.overflow)
  })

  it("behaves like a plain least-recently-allocated reference model, for any sequence", () => {
    const scenario = fc.record({
      size: fc.integer({ min: 1, max: 5 }),
      lifetimeMs: fc.integer({ min: 1, max: 100 }),
      steps: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 60 })
    })
    fc.assert(
      fc.property(scenario, ({ size, lifetimeMs, steps }) => {
        const model = new Model({
          pools: [{ id: "1", key: "k", size, lifetimeSeconds: lifetimeMs / 1000 }]
        })
        const pool = model.pools[0]!
        // The reference scans every number: free ones are those whose lease ended; the least recently allocated
        // wins (by allocation order, so that two allocations in the same millisecond are still ordered).
        const leasedAt = new Array<number>(size).fill(Number.NEGATIVE_INFINITY)
        const order = new Array<number>(size).fill(Number.NEGATIVE_INFINITY)
        let now = 0
        for (const [n, step] of steps.entries()) {
          now += step
          let expected = -1
          for (let i = 0; i < size; i++) {
            const free = leasedAt[i]! + lifetimeMs <= now
            if (free && (expected === -1 || order[i]! < order[expected]!)) expected = i
          }
          const record = allocated(model.allocate("1", "k", params("x"), undefined, now))
          if (expected === -1) {
            assert.isTrue(record.overflow)
          } else {
            assert.strictEqual(record.promoNumber, pool.numberAt(expected))
            leasedAt[expected] = now
            order[expected] = n
          }
        }
      })
    )
  })
})
