import { assert, describe, it } from "@effect/vitest"
import { fromFields } from "../src/input/InputRow.ts"
import { plain } from "./support/rows.ts"

const row = (fields: Record<string, unknown>) => plain(fromFields(4, Object.keys(fields), Object.values(fields)))

describe("a row's fields", () => {
  it("needs a pool id and at least one parameter, whose value may be empty", () => {
    assert.deepStrictEqual(row({ m1: "a" }), {
      line: 4,
      problem: "no ring_pool_id: every row needs the id of its ring pool"
    })
    assert.include((row({ ring_pool_id: "1", request_id: "R" }) as { problem: string }).problem, "no parameters")
    assert.strictEqual((row({ ring_pool_id: "1", request_id: "R" }) as { requestId: string }).requestId, "R")
    assert.deepStrictEqual(row({ ring_pool_id: "1", m1: "" }), { line: 4, pool: "1", params: [["m1", ""]] })
  })

  it("masks a row's key and the process's key together in a name it quotes, so neither shows in part", () => {
    const processKey = "SECRETKEY12345"
    const rowKey = "abcdeSECRETfghij" // six characters of the process's key inside it
    const saved = process.env.RINGPOOL_KEY
    process.env.RINGPOOL_KEY = processKey
    try {
      const { problem } = row({ ring_pool_id: "1", ring_pool_key: rowKey, [rowKey]: null }) as { problem: string }
      assert.include(problem, "must be a string, number or boolean")
      for (const piece of ["abcde", "fghij", "SECRET"]) assert.notInclude(problem, piece)
    } finally {
      if (saved === undefined) delete process.env.RINGPOOL_KEY
      else process.env.RINGPOOL_KEY = saved
    }
  })

  it("writes numbers and booleans as text; refuses objects, arrays and null as parameters", () => {
    assert.deepStrictEqual(row({ ring_pool_id: 5, n: 1.5, b: true, request_id: 9 }), {
      line: 4,
      pool: "5",
      params: [
        ["n", "1.5"],
        ["b", "true"]
      ],
      requestId: "9"
    })
    assert.include((row({ ring_pool_id: "1", m1: { a: 1 } }) as { problem: string }).problem, '"m1" must be a string')
    assert.include((row({ ring_pool_id: "1", m1: null }) as { problem: string }).problem, '"m1" must be a string')
  })

  it("takes an empty key or request id as none (CSV cannot leave a cell out), and never quotes a key", () => {
    assert.deepStrictEqual(row({ ring_pool_id: "1", ring_pool_key: "", request_id: "", m1: "a" }), {
      line: 4,
      pool: "1",
      params: [["m1", "a"]]
    })
    const bad = row({ ring_pool_id: "1", ring_pool_key: ["KEY-DO-NOT-PRINT-1234"], m1: "a" })
    assert.deepStrictEqual(bad, { line: 4, problem: "ring_pool_key must be a string" })
  })

  it("refuses a key longer than any ring pool key, before its masking tables are built for a bad field's name", () => {
    const started = performance.now()
    const huge = row({ ring_pool_id: "1", ring_pool_key: "K".repeat(900 * 1024), m1: { not: "text" } })
    assert.deepStrictEqual(huge, {
      line: 4,
      problem: "ring_pool_key is longer than 256 characters: that is not a ring pool key"
    })
    // Masking tables for 900 KiB would take about a second and 100 MB.
    assert.isBelow(performance.now() - started, 500)
  })

  it("reads the API's own row, api_suffix and request_id, with core's ApiSuffix.parse", () => {
    assert.deepStrictEqual(
      row({ api_suffix: "12/allocate_number.json?ring_pool_key=k&m1=a%20b&m2=", request_id: "X" }),
      {
        line: 4,
        pool: "12",
        key: "k",
        params: [
          ["m1", "a b"],
          ["m2", ""]
        ],
        requestId: "X"
      }
    )
    // No key in the suffix: --key / RINGPOOL_KEY applies.
    assert.deepStrictEqual(row({ api_suffix: "ring_pools/12/allocate_number.json?ring_pool_key=&m1=a" }), {
      line: 4,
      pool: "12",
      params: [["m1", "a"]]
    })
    assert.include(
      (row({ api_suffix: "12/other.json?m1=a" }) as { problem: string }).problem,
      "api_suffix must look like"
    )
    assert.include(
      (row({ api_suffix: "12/allocate_number.json?ring_pool_key=k" }) as { problem: string }).problem,
      "no parameters"
    )
    assert.include(
      (row({ api_suffix: "12/allocate_number.json?m1=a", m2: "b" }) as { problem: string }).problem,
      "only request_id"
    )
  })
})
