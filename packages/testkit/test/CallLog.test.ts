import { assert, describe, it } from "@effect/vitest"
import { type CallLog, FakeRingPool } from "../src/index.ts"
import { body, pools, post, quiet } from "./support/fake.ts"

describe("the call log", () => {
  it("records every call decoded, with the key masked everywhere", () => {
    const fake = FakeRingPool.make({ pools, ...quiet })
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
    const told: Array<CallLog.RecordedCall> = []
    const fake = FakeRingPool.make({ pools, logLimit: { calls: 3 }, onUnexpectedRequest: (call) => told.push(call) })
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
    assert.throws(() => FakeRingPool.make({ pool: [] } as FakeRingPool.FakeOptions), TypeError, /unknown option "pool"/)
    assert.throws(() => FakeRingPool.make({ logLimit: { calls: 0 } }), TypeError, /logLimit.calls/)
  })
})
