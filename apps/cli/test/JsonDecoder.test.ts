import { assert, describe, it } from "@effect/vitest"
import * as JsonDecoder from "../src/input/JsonDecoder.ts"
import { decodeAll, plain, refusalOf } from "./support/rows.ts"

const rowsOf = (text: string, size?: number) => decodeAll(JsonDecoder.make(), text, size).map(plain)
const refusal = (text: string) => refusalOf(() => rowsOf(text))

describe("JSON input", () => {
  it("reads an array of rows, numbering each by the line where its element starts", () => {
    const text = '[\n  {"ring_pool_id":"1","m1":"a, ]}"},\n  {\n    "ring_pool_id": 2,\n    "m1": "b"\n  }\n]\n'
    const rows = rowsOf(text)
    assert.deepStrictEqual(rows, [
      { line: 2, pool: "1", params: [["m1", "a, ]}"]] },
      { line: 3, pool: "2", params: [["m1", "b"]] }
    ])
    for (const size of [1, 2, 9]) assert.deepStrictEqual(rowsOf(text, size), rows)
  })

  it("keeps a number as written, whatever size the pieces of input come in", () => {
    const text = '[{"ring_pool_id":1,"m1":12345678901234567890,"m2":2.50}]'
    const rows = rowsOf(text)
    assert.deepStrictEqual(rows, [
      {
        line: 1,
        pool: "1",
        params: [
          ["m1", "12345678901234567890"],
          ["m2", "2.50"]
        ]
      }
    ])
    for (const size of [1, 3, 8]) assert.deepStrictEqual(rowsOf(text, size), rows)
  })

  it("reads the API's own body, under requests (or request), ignoring its other keys", () => {
    const body =
      '{"note":{"requests":[1]},"requests":[\n{"api_suffix":"12/allocate_number.json?ring_pool_key=k&m1=autos&m2=ford","request_id":"193C5F"},\n{"api_suffix":"12/allocate_number.json?ring_pool_key=k&m1=antiques","request_id":"58CD4F"}],"x":[]}'
    assert.deepStrictEqual(rowsOf(body), [
      {
        line: 2,
        pool: "12",
        key: "k",
        params: [
          ["m1", "autos"],
          ["m2", "ford"]
        ],
        requestId: "193C5F"
      },
      { line: 3, pool: "12", key: "k", params: [["m1", "antiques"]], requestId: "58CD4F" }
    ])
    assert.deepStrictEqual(rowsOf('{"request":[{"ring_pool_id":"1","m1":"a"}]}'), [
      { line: 1, pool: "1", params: [["m1", "a"]] }
    ])
  })

  it("numbers lines ended by \\r alone or \\r\\n as lines, whatever size the pieces come in", () => {
    const text =
      '[\r{"ring_pool_id":"1","m1":"a"},\r\n{"ring_pool_id":"2","m1":"b"},\r\r{"ring_pool_id":"3","m1":"c"}\r]'
    const rows = rowsOf(text)
    assert.deepStrictEqual(
      rows.map((row) => row.line),
      [2, 3, 5]
    )
    for (const size of [1, 2, 31, 32, 33]) assert.deepStrictEqual(rowsOf(text, size), rows)
  })

  it("gives each object its row when a comma between two is missing (rows pasted together)", () => {
    const text = '[{"ring_pool_id":"1","m1":"a"} {"ring_pool_id":"2","m1":"b"}\n{"ring_pool_id":"3","m1":"c"},[1]]'
    const rows = rowsOf(text)
    assert.deepStrictEqual(
      rows.map((row) => ("problem" in row ? row.line : [row.line, row.pool])),
      [[1, "1"], [1, "2"], [2, "3"], 2]
    )
    for (const size of [1, 2, 29, 30, 31]) assert.deepStrictEqual(rowsOf(text, size), rows)
  })

  it("gives a stray value between two rows an error row of its own, not the next row with it", () => {
    const text =
      '[{"ring_pool_id":"1","m1":"a"} 5 {"ring_pool_id":"2","m1":"b"}\n"x"{"ring_pool_id":"3","m1":"c"} true\n' +
      '{"ring_pool_id":"4","m1":"d"}, 7]'
    const rows = rowsOf(text)
    assert.deepStrictEqual(
      rows.map((row) => ("problem" in row ? row.line : [row.line, row.pool])),
      [[1, "1"], 1, [1, "2"], 2, [2, "3"], 2, [3, "4"], 3]
    )
    for (const size of [1, 2, 31, 32, 33]) assert.deepStrictEqual(rowsOf(text, size), rows)
    // With no space before the object either, or a stray closer.
    const glued =
      '[{"ring_pool_id":"1","m1":"a"} 5{"ring_pool_id":"2","m1":"b"},true{"ring_pool_id":"3","m1":"c"} }{"ring_pool_id":"4","m1":"d"}]'
    const gluedRows = rowsOf(glued)
    assert.deepStrictEqual(
      gluedRows.map((row) => ("problem" in row ? "junk" : row.pool)),
      ["1", "junk", "2", "junk", "3", "junk", "4"]
    )
    for (const size of [1, 2, 31, 32, 33]) assert.deepStrictEqual(rowsOf(glued, size), gluedRows)
  })

  it("makes an error row of an element that is not a row, and reads on", () => {
    const rows = rowsOf(
      '[\n{"ring_pool_id":"1","m1":"a"},\n{"ring_pool_key":"KEY-DO-NOT-PRINT-1234" "m1":1},\n"text",\n{"ring_pool_id":"1","m1":"b"}\n]'
    )
    assert.deepStrictEqual(
      rows.map((row) => [row.line, "problem" in row]),
      [
        [2, false],
        [3, true],
        [4, true],
        [5, false]
      ]
    )
    assert.notInclude(JSON.stringify(rows), "KEY-DO-NOT-PRINT")
  })

  it("makes an error row of a document cut short, after running the rows it has", () => {
    assert.deepStrictEqual(rowsOf('[{"ring_pool_id":"1","m1":"a"},\n{"ring_pool_id":"1","m1":"b'), [
      { line: 1, pool: "1", params: [["m1", "a"]] },
      { line: 2, problem: "the JSON document ends inside this row (unbalanced brackets or quotes)" }
    ])
    assert.deepStrictEqual(rowsOf('[{"ring_pool_id":"1","m1":"a"},\n{"ring_pool_id":"1","m1":"b"}\n'), [
      { line: 1, pool: "1", params: [["m1", "a"]] },
      { line: 2, pool: "1", params: [["m1", "b"]] },
      { line: 3, problem: "the JSON document ends before its closing bracket: the input may be cut short" }
    ])
  })

  it("refuses another shape, a body without requests, or text after the document", () => {
    assert.include(refusal('"rows"'), "JSON input must be an array of rows")
    assert.include(refusal('{"rows":[]}'), 'has no "requests" array')
    assert.include(refusal('{"requests":{}}'), '"requests" must be an array')
    assert.include(
      refusal('[{"ring_pool_id":"1","m1":"a"}]\n{"ring_pool_id":"2","m1":"a"}\n'),
      "unexpected text after the JSON document (line 2)"
    )
    // The rows before text after the document are still handed out; the refusal comes on the next call.
    const decoder = JsonDecoder.make()
    assert.strictEqual(decoder.push('[{"ring_pool_id":"1","m1":"a"}] x').length, 1)
    assert.throws(() => decoder.end(), "unexpected text after the JSON document (line 1)")
    assert.deepStrictEqual(rowsOf("  \n"), [])
    assert.deepStrictEqual(rowsOf("[]"), [])
  })
})
