import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { fromFields } from "../src/input/InputRow.ts"
import { flatFields, rowOfJson } from "../src/input/JsonRow.ts"

/** What `JSON.parse` makes of `text`: its names and values, or undefined when it is not valid JSON. */
const parsed = (text: string) => {
  try {
    const value = JSON.parse(text)
    return { names: Object.keys(value ?? {}), values: Object.values(value ?? {}) }
  } catch {
    return undefined
  }
}

// Characters that make JSON texts go wrong: its own punctuation, escapes, controls, digits, spaces, a surrogate.
const tricky = fc.constantFrom(
  '"',
  "\\",
  "{",
  "}",
  ":",
  ",",
  "0",
  "7",
  " ",
  "\u0001",
  "\n",
  "\u2028",
  "é",
  "\ud800",
  "a",
  "u"
)
const piece = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: tricky, maxLength: 6 }))
/** Texts close to the common row: flat objects of strings, then cut, doubled or spliced with tricky characters. */
const rowText = fc
  .tuple(
    fc.array(fc.tuple(piece, piece), { maxLength: 6 }),
    fc.nat(100),
    fc.string({ unit: tricky, maxLength: 3 }),
    fc.nat(3)
  )
  .map(([fields, at, splice, how]) => {
    const text = `{${fields.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`).join(",")}}`
    const cut = at % (text.length + 1)
    if (how === 0) return text
    if (how === 1) return text.slice(0, cut) + splice + text.slice(cut)
    if (how === 2) return text.slice(0, cut)
    return text + text.slice(cut)
  })

describe("reading a JSON row", () => {
  it("reads the common row without JSON.parse, into exactly what JSON.parse gives, or leaves the text to it", () => {
    fc.assert(
      fc.property(rowText, (text) => {
        const flat = flatFields(text)
        if (flat === undefined) return
        assert.deepStrictEqual(flat, parsed(text), text)
      }),
      { numRuns: 20_000 }
    )
  })

  it("takes the common row, and leaves repeated names, digit-led names, spaces and numbers to JSON.parse", () => {
    assert.deepStrictEqual(flatFields('{"ring_pool_id":"1","m1":"autos","request_id":"c1"}'), {
      names: ["ring_pool_id", "m1", "request_id"],
      values: ["1", "autos", "c1"]
    })
    assert.deepStrictEqual(flatFields('{"":"","__proto__":"x"}'), { names: ["", "__proto__"], values: ["", "x"] })
    for (const text of [
      '{"m1":"a","m1":"b"}', // JSON.parse keeps "b" in the first place
      '{"m1":"a","2":"b"}', // JSON.parse lists "2" first
      '{"m1": "a"}',
      '{"m1":"a"} ',
      '{"ring_pool_id":1,"m1":"a"}',
      '{"m1":"a\\"b"}',
      '{"m1":"a\u0001"}',
      "{}",
      '{"m1":"a"}{"m1":"b"}'
    ]) {
      assert.strictEqual(flatFields(text), undefined, text)
    }
  })

  it("gives the same row either way", () => {
    const text = '{"ring_pool_id":"12","m2":"ford","ring_pool_key":"k1","m1":"autos","request_id":"A1"}'
    const value = JSON.parse(text)
    assert.deepStrictEqual(rowOfJson(3, text), fromFields(3, Object.keys(value), Object.values(value)))
    // The same row with a space: read by JSON.parse, and no different.
    assert.deepStrictEqual(rowOfJson(3, text.replace(",", ", ")), rowOfJson(3, text))
  })
})
