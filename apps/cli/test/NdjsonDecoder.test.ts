import { assert, describe, it } from "@effect/vitest"
import * as NdjsonDecoder from "../src/input/NdjsonDecoder.ts"
import { decodeAll, plain } from "./support/rows.ts"

const rowsOf = (text: string, size?: number) => decodeAll(NdjsonDecoder.make(), text, size).map(plain)

describe("NDJSON input", () => {
  it("reads a row per line: pool, key, request id, and every other field as a parameter in order", () => {
    const text =
      '{"ring_pool_id":"12","m2":"ford","ring_pool_key":"k1","m1":"autos","request_id":"A1"}\n{"ring_pool_id":7,"m1":""}\n'
    assert.deepStrictEqual(rowsOf(text), [
      {
        line: 1,
        pool: "12",
        key: "k1",
        params: [
          ["m2", "ford"],
          ["m1", "autos"]
        ],
        requestId: "A1"
      },
      { line: 2, pool: "7", params: [["m1", ""]] }
    ])
  })

  it("gives the same rows whatever size the pieces of input come in, CRLF and a last line without newline included", () => {
    const text =
      '{"ring_pool_id":"1","m1":"a"}\r\n\r\n{"ring_pool_id":"2","m1":"b"}\n   \n{"ring_pool_id":"3","m1":"c"}'
    const whole = rowsOf(text)
    assert.deepStrictEqual(
      whole.map((row) => row.line),
      [1, 3, 5]
    )
    for (const size of [1, 2, 7, 30]) assert.deepStrictEqual(rowsOf(text, size), whole)
  })

  it("sends a number as the file writes it, not as JavaScript rounds or rewrites it", () => {
    const line =
      '{"ring_pool_id":12,"m1":12345678901234567890,"gclid":9007199254740993,"m3":1.10,"m4":1e21,"m5":-0,' +
      '"m6":1e400,"m7":"text 12 \\" 3","m8":true,"request_id":7}\n'
    assert.deepStrictEqual(rowsOf(line), [
      {
        line: 1,
        pool: "12",
        params: [
          ["m1", "12345678901234567890"],
          ["gclid", "9007199254740993"],
          ["m3", "1.10"],
          ["m4", "1e21"],
          ["m5", "-0"],
          ["m6", "1e400"],
          ["m7", 'text 12 " 3'],
          ["m8", "true"]
        ],
        requestId: "7"
      }
    ])
  })

  it("reads lines that end in \\r alone (old Mac) as lines, whatever size the pieces come in", () => {
    const text = '{"ring_pool_id":"1","m1":"a"}\r{"ring_pool_id":"2","m1":"b"}\r\r{"ring_pool_id":"3","m1":"c"}\r'
    const rows = rowsOf(text)
    assert.deepStrictEqual(rows, [
      { line: 1, pool: "1", params: [["m1", "a"]] },
      { line: 2, pool: "2", params: [["m1", "b"]] },
      { line: 4, pool: "3", params: [["m1", "c"]] }
    ])
    for (const size of [1, 2, 5, 31]) assert.deepStrictEqual(rowsOf(text, size), rows)
    // Mixed with \r\n and \n, a \r\n cut between two pieces is one line end.
    const mixed = '{"ring_pool_id":"1","m1":"a"}\r\n{"ring_pool_id":"2","m1":"b"}\r{"ring_pool_id":"3","m1":"c"}\n'
    for (const size of [1, 30, 31, 100])
      assert.deepStrictEqual(
        rowsOf(mixed, size),
        rows.map((row, i) => ({ ...row, line: i + 1 }))
      )
  })

  it("reads a ring_pool_id written as a whole number with zeros after the point (12345.0) as that pool", () => {
    const text =
      '{"ring_pool_id":12345.0,"m1":"a"}\n{"ring_pool_id":"12345.00","m1":2.50}\n{"ring_pool_id":1.5,"m1":"c"}\n' +
      '{"ring_pool_id":1.00000000000000001,"m1":"d"}\n'
    assert.deepStrictEqual(
      rowsOf(text).map((row) => ("pool" in row ? [row.pool, row.params] : row)),
      [
        ["12345", [["m1", "a"]]],
        ["12345", [["m1", "2.50"]]],
        ["1.5", [["m1", "c"]]],
        // Not a whole number as written: sent as written, never rounded into pool 1.
        ["1.00000000000000001", [["m1", "d"]]]
      ]
    )
  })

  it("says on the first row when the input looks like CSV read as NDJSON (a CSV file named .txt)", () => {
    const rows = rowsOf("ring_pool_id,m1\n1,a\n")
    assert.deepStrictEqual(
      rows.map((row) => ("problem" in row ? row.problem : "")),
      ["not valid JSON: the input looks like CSV; add --input-format csv", "not valid JSON (at character 2)"]
    )
    // A bad JSON line is only that.
    assert.notInclude(JSON.stringify(rowsOf('{"ring_pool_id": 1,,}\n')), "looks like CSV")
  })

  it("makes an error row of a bad line, without quoting it, and reads on", () => {
    const rows = rowsOf(
      '{"ring_pool_id":"1","m1":"a"}\n{"ring_pool_key":"KEY-DO-NOT-PRINT-1234", oops\n[1,2]\n{"ring_pool_id":"1","m1":"b"}\n'
    )
    assert.strictEqual(rows.length, 4)
    assert.strictEqual(rows[1]!.line, 2)
    assert.match((rows[1] as { problem: string }).problem, /^not valid JSON \(at character \d+\)$/)
    assert.strictEqual(rows[2]!.line, 3)
    assert.include((rows[2] as { problem: string }).problem, "not a JSON object")
    assert.strictEqual((rows[3] as { pool: string }).pool, "1")
    assert.notInclude(JSON.stringify(rows), "KEY-DO-NOT-PRINT")
  })

  it("makes an error row of a line over 1 MiB without holding it, and reads on", () => {
    const long = `{"ring_pool_id":"1","m1":"${"x".repeat(1024 * 1024 + 10)}"}`
    const rows = rowsOf(`${long}\n{"ring_pool_id":"2","m1":"b"}\n`, 64 * 1024)
    assert.strictEqual(rows.length, 2)
    assert.strictEqual(rows[0]!.line, 1)
    assert.include((rows[0] as { problem: string }).problem, "longer than 1 MiB")
    assert.strictEqual((rows[1] as { pool: string }).pool, "2")
  })
})
