import { assert, describe, it } from "@effect/vitest"
import { BulkProtocol } from "@ringpool/core"
import { FakeRingPool, type FaultPlan } from "../src/index.ts"
import { body, pools, post, quiet, responded, rowsOf, statuses } from "./support/fake.ts"

describe("faults", () => {
  it("delay: the answer waits, and processing-time includes the wait", () => {
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "delay", ms: 250 })
    const answer = responded(post(fake))
    assert.strictEqual(answer.delayMs, 250)
    assert.strictEqual(answer.status, 200)
    assert.isAtLeast(Number(answer.headers["processing-time"]), 250)
    assert.strictEqual(responded(post(fake)).delayMs, 0)
  })

  it("status 500: the documented InternalServiceError body with an integer handle, and no allocation", () => {
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "status", status: 500, times: 2 })
    const first = responded(post(fake))
    const second = responded(post(fake))
    assert.strictEqual(first.status, 500)
    const error = JSON.parse(first.body) as BulkProtocol.ErrorBody
    assert.strictEqual(error.errors.class, "InternalServiceError")
    assert.match(error.errors.invalid_data!, /^refer to error handle \d+$/)
    const handle = BulkProtocol.errorHandleOf(error.errors.invalid_data)
    assert.isTrue(Number.isSafeInteger(handle))
    assert.notStrictEqual(
      BulkProtocol.errorHandleOf((JSON.parse(second.body) as BulkProtocol.ErrorBody).errors.invalid_data),
      handle
    )
    assert.strictEqual(fake.allocations().length, 0)
  })

  it("other statuses: a short plain-text body (as a gateway sends), or the body given", () => {
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "status", status: 503 })
    const gateway = responded(post(fake))
    assert.strictEqual(gateway.status, 503)
    assert.match(gateway.headers["content-type"]!, /^text\/plain/)
    fake.inject({ fault: "status", status: 429, body: "slow down" })
    const limited = responded(post(fake))
    assert.deepStrictEqual([limited.status, limited.body], [429, "slow down"])
  })

  it("drop: no answer at all, after the rows were allocated", () => {
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "drop" })
    assert.deepStrictEqual(post(fake, body("a", "b")), { _tag: "Drop", delayMs: 0 })
    assert.strictEqual(fake.allocations().length, 2)
    const call = fake.calls()[0]!
    assert.isUndefined(call.status)
    assert.deepStrictEqual(call.faults, ["drop"])
  })

  it("malformed: 200 with a body that is not JSON", () => {
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "malformed" })
    const answer = responded(post(fake))
    assert.strictEqual(answer.status, 200)
    assert.throws(() => JSON.parse(answer.body))
    assert.strictEqual(fake.allocations().length, 1)
  })

  it("truncate: 200 with the true answer cut short", () => {
    const clean = responded(post(FakeRingPool.make({ pools }), body("a", "b", "c"))).body
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "truncate" })
    const cut = responded(post(fake, body("a", "b", "c")))
    assert.strictEqual(cut.status, 200)
    assert.isTrue(cut.body.length < clean.length && clean.startsWith(cut.body))
    assert.throws(() => JSON.parse(cut.body))
  })

  it("missingRow: one row left out, the others in order", () => {
    const clean = rowsOf(post(FakeRingPool.make({ pools }), body("a", "b", "c")))
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "missingRow" })
    const rows = rowsOf(post(fake, body("a", "b", "c")))
    assert.strictEqual(rows.length, 2)
    const kept = clean.filter((row) => rows.some((r) => r.request_id === row.request_id))
    assert.deepStrictEqual(rows, kept)
  })

  it("reorder: the same rows in another order; a single row stays as it is", () => {
    const clean = rowsOf(post(FakeRingPool.make({ pools }), body("a", "b", "c")))
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "reorder", times: 2 })
    const rows = rowsOf(post(fake, body("a", "b", "c")))
    assert.notDeepEqual(rows, clean)
    assert.sameDeepMembers([...rows], [...clean])
    assert.strictEqual(rowsOf(post(fake, body("z"))).length, 1)
  })

  it("applies once by default, N times with times: N, and until reset with times: 'always'", () => {
    const fake = FakeRingPool.make({ pools })
    fake.inject({ fault: "status", status: 502 })
    assert.deepStrictEqual(statuses(fake, 2), [502, 200])
    fake.inject({ fault: "status", status: 502, times: 3 })
    assert.deepStrictEqual(statuses(fake, 4), [502, 502, 502, 200])
    fake.inject({ fault: "status", status: 502, times: "always" })
    assert.isTrue(statuses(fake, 25).every((status) => status === 502))
    fake.reset()
    assert.deepStrictEqual(statuses(fake, 2), [200, 200])
  })

  it("probability: each considered call is hit with that chance, from a seeded draw", () => {
    const fake = FakeRingPool.make({ pools: [{ id: "1", key: "k", size: 1 }] })
    fake.inject({ fault: "status", status: 503, times: "always", probability: 0.5 })
    const hits = statuses(fake, 200).filter((status) => status === 503).length
    assert.isTrue(hits > 60 && hits < 140, `${hits} of 200 calls hit at probability 0.5`)
    fake.reset()
    fake.inject({ fault: "status", status: 503, times: "always", probability: 0 })
    assert.isTrue(statuses(fake, 50).every((status) => status === 200))
    fake.reset()
    fake.inject({ fault: "status", status: 503, times: 10, probability: 0.5 })
    const first = statuses(fake, 10)
    assert.isTrue(first.includes(503) && first.includes(200))
    assert.isTrue(statuses(fake, 20).every((status) => status === 200))
    // The same seed makes the same draws.
    const again = FakeRingPool.make({ pools: [{ id: "1", key: "k", size: 1 }] })
    again.inject({ fault: "status", status: 503, times: 10, probability: 0.5 })
    assert.deepStrictEqual(statuses(again, 10), first)
  })

  it("composes faults that hit the same call, and spares calls that are not bulk calls", () => {
    const fake = FakeRingPool.make({ pools, ...quiet })
    fake.inject({ fault: "delay", ms: 100 })
    fake.inject({ fault: "status", status: 500 })
    assert.strictEqual(
      responded(fake.handle("GET", "/api/2015-12-09/ring_pools/1/allocate_number.json", "", 0)).status,
      403
    )
    assert.strictEqual(responded(fake.handle("GET", "/elsewhere", "", 0)).status, 404)
    const answer = responded(post(fake))
    assert.deepStrictEqual([answer.status, answer.delayMs], [500, 100])
    assert.deepStrictEqual(fake.calls().at(-1)!.faults, ["delay", "status"])
    fake.inject({ fault: "status", status: 500 })
    fake.inject({ fault: "drop" })
    assert.strictEqual(post(fake)._tag, "Drop")
  })

  it("refuses a mistaken injection, saying what to write", () => {
    const fake = FakeRingPool.make({ pools })
    const mistakes: Array<[unknown, RegExp]> = [
      [{ fault: "explode" }, /unknown fault "explode"/],
      [{ fault: "delay" }, /a delay needs ms/],
      [{ fault: "status", status: 200 }, /from 400 to 599/],
      [{ fault: "drop", times: 0 }, /times must be a positive integer or "always"/],
      [{ fault: "drop", probability: 2 }, /probability must be a number from 0 to 1/]
    ]
    for (const [injection, message] of mistakes) {
      assert.throws(() => fake.inject(injection as FaultPlan.Injection), TypeError, message)
    }
  })
})
