import { assert, describe, it } from "@effect/vitest"
import * as CsvDecoder from "../src/input/CsvDecoder.ts"
import { decodeAll, plain, refusalOf } from "./support/rows.ts"

const rowsOf = (text: string, size?: number) => decodeAll(CsvDecoder.make(), text, size).map(plain)
const lines = (text: string, size?: number) =>
  rowsOf(text, size).map((row) => [row.line, "problem" in row ? row.problem : row.pool])

describe("CSV input", () => {
  it("names columns by the header; every column but ring_pool_id, ring_pool_key and request_id is a parameter", () => {
    const text = ' ring_pool_id , m1,request_id,ring_pool_key,m2\n12,autos,A1,k1,"ford, f150"\n13,,,,"say ""hi"""\n'
    assert.deepStrictEqual(rowsOf(text), [
      {
        line: 2,
        pool: "12",
        key: "k1",
        params: [
          ["m1", "autos"],
          ["m2", "ford, f150"]
        ],
        requestId: "A1"
      },
      {
        line: 3,
        pool: "13",
        params: [
          ["m1", ""],
          ["m2", 'say "hi"']
        ]
      }
    ])
  })

  it("numbers a row by the line where its record starts, across quoted line breaks and blank lines", () => {
    const text = 'ring_pool_id,m1\r\n1,"two\r\nlines"\r\n\r\n2,b\r\n3,"x\n\ny"\n4,d'
    assert.deepStrictEqual(lines(text), [
      [2, "1"],
      [5, "2"],
      [6, "3"],
      [9, "4"]
    ])
    for (const size of [1, 3, 11]) assert.deepStrictEqual(rowsOf(text, size), rowsOf(text))
    assert.deepStrictEqual((rowsOf(text)[0] as { params: unknown }).params, [["m1", "two\r\nlines"]])
  })

  it("makes an error row of bad quoting or a wrong number of fields, and reads on at the next line", () => {
    const text = 'ring_pool_id,m1\n1,a\n2,"b"x\n3,c"d\n4,"e",extra\n5\n6,f\n'
    assert.deepStrictEqual(lines(text), [
      [2, "1"],
      [3, "bad CSV quoting: a quoted field must be followed by a comma or the end of the line"],
      [4, 'bad CSV quoting: a quote inside an unquoted field (quote the whole field and write a quote as "")'],
      [5, "3 fields, but the header names 2 columns"],
      [6, "1 fields, but the header names 2 columns"],
      [7, "6"]
    ])
  })

  it("costs one row for a stray quote that swallows the lines after it: they are read again", () => {
    // The quote of line 3 is closed badly on line 5: lines 4 and 5 are rows of their own.
    const closedBadly = 'ring_pool_id,m1\n1,a\n2,"stray\n3,c\n4,"d\ne"\n'
    assert.deepStrictEqual(lines(closedBadly), [
      [2, "1"],
      [3, "bad CSV quoting: a quoted field must be followed by a comma or the end of the line"],
      [4, "3"],
      [5, "4"]
    ])
    assert.deepStrictEqual((rowsOf(closedBadly)[3] as { params: unknown }).params, [["m1", "d\ne"]])
    const neverClosed = 'ring_pool_id,m1\n1,a\n2,"stray\n3,c\n4,d'
    assert.deepStrictEqual(lines(neverClosed), [
      [2, "1"],
      [3, "bad CSV quoting: a quoted field is never closed"],
      [4, "3"],
      [5, "4"]
    ])
    for (const size of [1, 5]) {
      assert.deepStrictEqual(rowsOf(closedBadly, size), rowsOf(closedBadly))
      assert.deepStrictEqual(rowsOf(neverClosed, size), rowsOf(neverClosed))
    }
  })

  it("makes one error row of a record over 1 MiB (quoted or not), read in pieces, and reads on after it", () => {
    const big = "x".repeat(2 * 1024 * 1024)
    for (const text of [
      `ring_pool_id,m1\n1,a\n2,${big}\n3,c\n`,
      `ring_pool_id,m1\n1,a\n2,"${big}\n3,c\n`,
      `ring_pool_id,m1\n1,a\n2,"${big}"\n3,c\n`
    ]) {
      for (const size of [64 * 1024, text.length]) {
        assert.deepStrictEqual(lines(text, size), [
          [2, "1"],
          [3, "longer than 1 MiB: not a row (an unclosed quote or a missing line break?)"],
          [4, "3"]
        ])
      }
    }
  })

  it("reads on after thousands of broken lines in one piece", () => {
    const text = `ring_pool_id,m1\n${'1,"a"b\n'.repeat(20_000)}2,ok\n`
    const rows = rowsOf(text)
    assert.strictEqual(rows.length, 20_001)
    assert.deepStrictEqual(rows[20_000], { line: 20_002, pool: "2", params: [["m1", "ok"]] })
  })

  it("does not quote a bad record's cells in its problem (a cell may be a key)", () => {
    const rows = rowsOf('ring_pool_id,ring_pool_key,m1\n1,KEY-DO-NOT-PRINT-1234"x,a\n1,"KEY-DO-NOT-PRINT-1234"x,a\n')
    assert.strictEqual(rows.length, 2)
    assert.notInclude(JSON.stringify(rows), "KEY-DO-NOT-PRINT")
  })

  it("reads a ring_pool_id of 12345.0 (a spreadsheet's integer column) as pool 12345", () => {
    assert.deepStrictEqual(
      rowsOf("ring_pool_id,m1\n12345.0,a\n12345.5,b\n").map((row) => ("pool" in row ? row.pool : row)),
      ["12345", "12345.5"]
    )
  })

  it("makes an error row of a record holding a carriage return alone (two rows run together), and reads on", () => {
    const rows = rowsOf("ring_pool_id,m1,m2\r\n1,a\r1,b\n1,c,d\r\n")
    assert.deepStrictEqual(
      rows.map((row) => ("problem" in row ? [row.line, row.problem] : [row.line, row.params])),
      [
        [
          2,
          "a field holds a carriage return alone: lines that end in one are read as a single record here; save the file with \\n or \\r\\n line ends"
        ],
        [
          3,
          [
            ["m1", "c"],
            ["m2", "d"]
          ]
        ]
      ]
    )
  })

  it("refuses a header without ring_pool_id (or api_suffix), with a name twice, or unreadable", () => {
    const refusal = (text: string) => refusalOf(() => rowsOf(text))
    assert.include(refusal("pool,m1\n1,a\n"), "no ring_pool_id column")
    assert.notInclude(refusal("pool,m1\n1,a\n"), "separated by")
    // A spreadsheet's other list separators: said, with what to do.
    assert.include(
      refusal("m1;ring_pool_id\na;1\n"),
      "its names are separated by ';', and ringpool bulk reads CSV with commas"
    )
    assert.include(refusal("ring_pool_id\tm1\n1\ta\n"), "its names are separated by tabs")
    assert.include(refusal('"ring_pool_id";"m1"\n"1";"a"\n'), "its names are separated by ';'")
    assert.include(refusal("sep=;\nring_pool_id;m1\n1;a\n"), "begins with Excel's sep= line, not a header")
    assert.include(refusal("ring_pool_id,m1,m1\n1,a,b\n"), 'names column "m1" twice')
    assert.include(refusal("ring_pool_id,,m1\n1,a,b\n"), "column 2 of the CSV header has no name")
    assert.include(refusal('"ring_pool_id,m1\n1,a\n'), "the CSV header is unreadable")
    // Lines ended by \r alone: one header line swallowing the rows, refused with what to save the file as.
    assert.include(
      refusal("ring_pool_id,m1\r1,a\r1,b\r"),
      'lines that end in a carriage return alone (Excel\'s "CSV (Macintosh)")'
    )
    assert.deepStrictEqual(rowsOf("api_suffix,request_id\n1/allocate_number.json?m1=a,R\n"), [
      { line: 2, pool: "1", params: [["m1", "a"]], requestId: "R" }
    ])
  })

  it("has no rows for an empty input or a header alone", () => {
    assert.deepStrictEqual(rowsOf(""), [])
    assert.deepStrictEqual(rowsOf("ring_pool_id,m1\n"), [])
  })
})
