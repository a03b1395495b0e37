import { assert, describe, it } from "@effect/vitest"
import { BulkProtocol } from "@ringpool/core"
import { type Fault, RingPoolFake } from "../src/index.ts"

const pools = [{ id: "1", key: "k", size: 10 }]

const body = (...m1: Array<string>) =>
  JSON.stringify({
    requests: m1.map((value, i) => ({
      api_suffix: `1/allocate_number.json?ring_pool_key=k&m1=${value}`,
      request_id: `r${i}`
    }))
  })

const post = (fake: RingPoolFake.RingPoolFake, text = body("a"), now = 0) =>
  fake.handle("POST", "/api/2013-07-01/bulk.json", text, now)

const responded = (answer: RingPoolFake.FakeAnswer) => {
  if (answer._tag !== "Respond") return assert.fail("expected a response, got a dropped connection")
  return answer
}

const rowsOf = (answer: RingPoolFake.FakeAnswer) =>
  (JSON.parse(responded(answer).body) as BulkProtocol.ResponseBody).responses

const statuses = (fake: RingPoolFake.RingPoolFake, calls: number) =>
  Array.from({ length: calls }, () => responded(post(fake)).status)

const quiet = { onUnexpectedRequest: () => {} }

describe("RingPoolFake faults", () => {
  it("delay: the answer waits, and processing-time includes the wait", () => {
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "delay", ms: 250 })
    const answer = responded(post(fake))
    assert.strictEqual(answer.delayMs, 250)
    assert.strictEqual(answer.status, 200)
    assert.isAtLeast(Number(answer.headers["processing-time"]), 250)
    assert.strictEqual(responded(post(fake)).delayMs, 0)
  })

  it("status 500: the documented InternalServiceError body with an integer handle, and no allocation", () => {
    const fake = RingPoolFake.make({ pools })
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
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "status", status: 503 })
    const gateway = responded(post(fake))
    assert.strictEqual(gateway.status, 503)
    assert.match(gateway.headers["content-type"]!, /^text\/plain/)
    fake.inject({ fault: "status", status: 429, body: "slow down" })
    const limited = responded(post(fake))
    assert.deepStrictEqual([limited.status, limited.body], [429, "slow down"])
  })

  it("drop: no answer at all, after the rows were allocated", () => {
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "drop" })
    assert.deepStrictEqual(post(fake, body("a", "b")), { _tag: "Drop", delayMs: 0 })
    assert.strictEqual(fake.allocations().length, 2)
    const call = fake.calls()[0]!
    assert.isUndefined(call.status)
    assert.deepStrictEqual(call.faults, ["drop"])
  })

  it("malformed: 200 with a body that is not JSON", () => {
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "malformed" })
    const answer = responded(post(fake))
    assert.strictEqual(answer.status, 200)
    assert.throws(() => JSON.parse(answer.body))
    assert.strictEqual(fake.allocations().length, 1)
  })

  it("truncate: 200 with the true answer cut short", () => {
    const clean = responded(post(RingPoolFake.make({ pools }), body("a", "b", "c"))).body
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "truncate" })
    const cut = responded(post(fake, body("a", "b", "c")))
    assert.strictEqual(cut.status, 200)
    assert.isTrue(cut.body.length < clean.length && clean.startsWith(cut.body))
    assert.throws(() => JSON.parse(cut.body))
  })

  it("missingRow: one row left out, the others in order", () => {
    const clean = rowsOf(post(RingPoolFake.make({ pools }), body("a", "b", "c")))
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "missingRow" })
    const rows = rowsOf(post(fake, body("a", "b", "c")))
    assert.strictEqual(rows.length, 2)
    const kept = clean.filter((row) => rows.some((r) => r.request_id === row.request_id))
    assert.deepStrictEqual(rows, kept)
  })

  it("reorder: the same rows in another order; a single row stays as it is", () => {
    const clean = rowsOf(post(RingPoolFake.make({ pools }), body("a", "b", "c")))
    const fake = RingPoolFake.make({ pools })
    fake.inject({ fault: "reorder", times: 2 })
    const rows = rowsOf(post(fake, body("a", "b", "c")))
    assert.notDeepEqual(rows, clean)
    assert.sameDeepMembers([...rows], [...clean])
    assert.strictEqual(rowsOf(post(fake, body("z"))).length, 1)
  })

  it("applies once by default, N times with times: N, and until reset with times: 'always'", () => {
    const fake = RingPoolFake.make({ pools })
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
    const fake = RingPoolFake.make({ pools: [{ id: "1", key: "k", size: 1 }] })
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
    const again = RingPoolFake.make({ pools: [{ id: "1", key: "k", size: 1 }] })
    again.inject({ fault: "status", status: 503, times: 10, probability: 0.5 })
    assert.deepStrictEqual(statuses(again, 10), first)
  })

  it("composes faults that hit the same call, and spares calls that are not bulk calls", () => {
    const fake = RingPoolFake.make({ pools, ...quiet })
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
    const fake = RingPoolFake.make({ pools })
    const mistakes: Array<[unknown, RegExp]> = [
      [{ fault: "explode" }, /unknown fault "explode"/],
      [{ fault: "delay" }, /a delay needs ms/],
      [{ fault: "status", status: 200 }, /from 400 to 599/],
      [{ fault: "drop", times: 0 }, /times must be a positive integer or "always"/],
      [{ fault: "drop", probability: 2 }, /probability must be a number from 0 to 1/]
    ]
    for (const [injection, message] of mistakes) {
      assert.throws(() => fake.inject(injection as Fault.Injection), TypeError, message)
    }
  })
})

describe("RingPoolFake records", () => {
  it("records every call decoded, with the key masked everywhere", () => {
    const fake = RingPoolFake.make({ pools, ...quiet })
    post(
      fake,
      JSON.stringify({
        requests: [
          { api_suffix: "1/allocate_number.json?ring_pool_key=k&m1=autos", request_id: "ok" },
          { api_suffix: "1/allocate_number.json?ring_pool_key=WRONG-KEY&m1=x", request_id: "bad" }
        ]
      }),
      42
    )
    fake.handle("GET", "/nowhere?ring_pool_key=WRONG-KEY", "", 43)
    const [bulk, unexpected] = fake.calls()
    assert.strictEqual(JSON.stringify(fake.calls()).includes("WRONG-KEY"), false)
    assert.deepStrictEqual(
      { ...bulk!, rows: [] },
      {
        kind: "bulk",
        at: 42,
        method: "POST",
        path: "/api/2013-07-01/bulk.json",
        apiVersion: "2013-07-01",
        faults: [],
        status: 200,
        rows: [],
        error: undefined
      }
    )
    const [ok, bad] = bulk!.rows
    assert.deepStrictEqual(
      { ...ok!, allocation: undefined },
      {
        requestId: "ok",
        apiSuffix: "1/allocate_number.json?ring_pool_key=<redacted>&m1=autos",
        ringPoolId: "1",
        params: { m1: "autos" },
        allocation: undefined,
        error: undefined
      }
    )
    assert.strictEqual(ok!.allocation, fake.allocations()[0])
    assert.deepStrictEqual(bad!.error, {
      errorClass: "InvalidKey",
      message: "API Key '<redacted>' is not valid for resource '1'"
    })
    assert.strictEqual(unexpected!.kind, "unexpected")
    assert.strictEqual(unexpected!.path, "/nowhere?ring_pool_key=<redacted>")
  })

  it("tells onUnexpectedRequest of a wrong URL, and keeps at most logLimit.calls calls", () => {
    const told: Array<RingPoolFake.RecordedCall> = []
    const fake = RingPoolFake.make({ pools, logLimit: { calls: 3 }, onUnexpectedRequest: (call) => told.push(call) })
    fake.handle("DELETE", "/api/2013-07-01/bulk.json", "", 0)
    assert.deepStrictEqual(
      told.map((call) => [call.method, call.status, call.error?.class]),
      [["DELETE", 404, "NotFound"]]
    )
    for (let i = 0; i < 10; i++) post(fake, body(String(i)), i)
    assert.deepStrictEqual(
      fake.calls().map((call) => call.at),
      [7, 8, 9]
    )
  })

  it("refuses unknown options, saying which are known", () => {
    assert.throws(() => RingPoolFake.make({ pool: [] } as RingPoolFake.FakeOptions), TypeError, /unknown option "pool"/)
    assert.throws(() => RingPoolFake.make({ logLimit: { calls: 0 } }), TypeError, /logLimit.calls/)
  })
})
