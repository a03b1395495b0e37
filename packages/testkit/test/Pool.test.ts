import { assert, describe, it } from "@effect/vitest"
import { Pool } from "../src/index.ts"

const numbersOf = (pool: Pool.ResolvedPool) => Array.from({ length: pool.size }, (_, i) => pool.numberAt(i))

describe("Pool.resolve", () => {
  it("serves one demo pool when given none", () => {
    const [demo, ...rest] = Pool.resolve()
    assert.strictEqual(rest.length, 0)
    assert.strictEqual(demo!.id, "demo")
    assert.strictEqual(demo!.key, "demo-key")
    assert.strictEqual(demo!.size, 10)
  })

  it("applies the documented defaults: overflow allowed, 1800 s lifetime", () => {
    const [pool] = Pool.resolve([{ id: 7, key: "k", size: 3 }])
    assert.strictEqual(pool!.id, "7")
    assert.isTrue(pool!.allowOverflow)
    assert.strictEqual(pool!.lifetimeMs, 1_800_000)
  })

  it("generates distinct 10-digit numbers from the id, the same on every run", () => {
    const first = Pool.resolve([
      { id: "a", key: "k", size: 1000 },
      { id: "b", key: "k", size: 1000 }
    ])
    const again = Pool.resolve([
      { id: "a", key: "k", size: 1000 },
      { id: "b", key: "k", size: 1000 }
    ])
    const all = [...first.flatMap(numbersOf), ...first.map((pool) => pool.overflowNumber)]
    for (const number of all) assert.match(number, /^\d{10}$/)
    assert.strictEqual(new Set(all).size, all.length)
    assert.deepStrictEqual(numbersOf(again[0]!), numbersOf(first[0]!))
    assert.strictEqual(again[1]!.overflowNumber, first[1]!.overflowNumber)
  })

  it("uses explicit numbers in their order, and keeps generated ones clear of them", () => {
    const [explicit, generated] = Pool.resolve([
      { id: "x", key: "k", numbers: ["8883906665", "8774551120"], overflowNumber: "8669715703" },
      { id: "y", key: "k", size: 5 }
    ])
    assert.deepStrictEqual(numbersOf(explicit!), ["8883906665", "8774551120"])
    assert.strictEqual(explicit!.overflowNumber, "8669715703")
    for (const number of [...numbersOf(generated!), generated!.overflowNumber]) {
      assert.notInclude(["888", "877", "866"], number.slice(0, 3))
    }
  })

  it("refuses options that would make attribution ambiguous or the fake wrong, saying what to write", () => {
    const cases: Array<[ReadonlyArray<Pool.PoolOptions>, RegExp]> = [
      [[{ id: "1", key: "" }], /key must be a non-empty string/],
      [[{ id: "a/b", key: "k" }], /id must be/],
      [[{ id: "1", key: "k", size: 0 }], /size must be an integer/],
      [[{ id: "1", key: "k", numbers: ["123"] }], /10-digit strings/],
      [[{ id: "1", key: "k", numbers: ["8883906665"], size: 2 }], /disagree/],
      [[{ id: "1", key: "k", overflowNumber: "88839" }], /overflowNumber must be/],
      [[{ id: "1", key: "k", lifetimeSeconds: 0 }], /lifetimeSeconds must be a positive number/],
      [
        [
          { id: "1", key: "k", numbers: ["8883906665"] },
          { id: "2", key: "k", numbers: ["8883906665"] }
        ],
        /also in pool "1"/
      ],
      [
        [
          { id: "1", key: "k" },
          { id: 1, key: "k" }
        ],
        /two pools have this id/
      ],
      [[{ id: "1", key: "k", sizes: 3 } as Pool.PoolOptions], /unknown option "sizes"/]
    ]
    for (const [pools, message] of cases) assert.throws(() => Pool.resolve(pools), TypeError, message)
  })

  it("never quotes the key in its errors", () => {
    try {
      Pool.resolve([{ id: "1", key: "s3cret-key", size: -1 }])
      assert.fail("expected a TypeError")
    } catch (error) {
      assert.notInclude((error as Error).message, "s3cret-key")
    }
  })
})
