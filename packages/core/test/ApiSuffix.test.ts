import { assert, describe, it } from "@effect/vitest"
import { Redacted, Result } from "effect"
import * as fc from "fast-check"
import { ApiSuffix } from "../src/index.ts"
import { vectors } from "./support/vectors.ts"

describe("ApiSuffix.make", () => {
  it("writes the seed's example suffixes byte for byte", () => {
    const params = [{ m1: "autos", m2: "ford" }, { m1: "antiques" }, { m1: "electronics" }]
    const made = params.map((p) =>
      ApiSuffix.make({ ringPoolId: "<RING_POOL_ID>", ringPoolKey: "<RING_POOL_KEY>", params: p })
    )
    // The seed's placeholders are not URL-safe, so compare with them encoded, and the rest exactly.
    const expected = vectors.request.requests.map((r) =>
      r.api_suffix.replace("<RING_POOL_ID>", "%3CRING_POOL_ID%3E").replace("<RING_POOL_KEY>", "%3CRING_POOL_KEY%3E")
    )
    assert.deepStrictEqual(made, expected)
    assert.strictEqual(
      ApiSuffix.make({ ringPoolId: 12345, ringPoolKey: "KEY", params: { m1: "autos", m2: "ford" } }),
      "12345/allocate_number.json?ring_pool_key=KEY&m1=autos&m2=ford"
    )
  })

  it("encodes a space as %20 and every reserved character", () => {
    const suffix = ApiSuffix.make({
      ringPoolId: "7",
      ringPoolKey: Redacted.make("k&y"),
      params: [
        ["SMS Callback", "true"],
        ["q", "a&b=c+d#e/f?g%h'i\"j(k)*!~é😀"]
      ]
    })
    assert.strictEqual(
      suffix,
      "7/allocate_number.json?ring_pool_key=k%26y&SMS%20Callback=true&q=a%26b%3Dc%2Bd%23e%2Ff%3Fg%25h%27i%22j%28k%29%2A%21~%C3%A9%F0%9F%98%80"
    )
  })

  it("keeps the caller's order and empty values", () => {
    assert.strictEqual(
      ApiSuffix.make({
        ringPoolId: "1",
        ringPoolKey: "k",
        params: [
          ["z", ""],
          ["a", "1"],
          ["z", "2"]
        ]
      }),
      "1/allocate_number.json?ring_pool_key=k&z=&a=1&z=2"
    )
  })
})

describe("ApiSuffix.parse", () => {
  const name = fc.string({ unit: "grapheme", minLength: 1 }).filter((s) => s !== "ring_pool_key")
  const value = fc.string({ unit: "grapheme" })
  const request = fc.record({
    ringPoolId: fc.oneof(fc.nat().map(String), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/)),
    ringPoolKey: fc.string({ unit: "grapheme", minLength: 1 }),
    params: fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 6 })
  })

  it("is the exact inverse of make for any names and values", () => {
    fc.assert(
      fc.property(request, (r) => {
        const parsed = ApiSuffix.parse(ApiSuffix.make(r))
        assert.isTrue(Result.isSuccess(parsed))
        if (Result.isFailure(parsed)) return
        assert.strictEqual(parsed.success.ringPoolId, r.ringPoolId)
        assert.strictEqual(Redacted.value(parsed.success.ringPoolKey!), r.ringPoolKey)
        assert.deepStrictEqual(parsed.success.params, r.params)
        assert.strictEqual(
          ApiSuffix.make({ ...parsed.success, ringPoolKey: parsed.success.ringPoolKey! }),
          ApiSuffix.make(r)
        )
      }),
      { numRuns: 500 }
    )
  })

  it("accepts + for a space, a leading / and the ring_pools/ prefix", () => {
    for (const suffix of [
      "ring_pools/9/allocate_number.json?ring_pool_key=k&m1=big+cars",
      "/9/allocate_number.json?ring_pool_key=k&m1=big%20cars"
    ]) {
      const parsed = ApiSuffix.parse(suffix)
      assert.isTrue(Result.isSuccess(parsed))
      if (Result.isSuccess(parsed)) {
        assert.strictEqual(parsed.success.ringPoolId, "9")
        assert.deepStrictEqual(parsed.success.params, [["m1", "big cars"]])
      }
    }
  })

  it("fails with a description that does not carry the key", () => {
    for (const suffix of [
      "9/allocate_number.xml?ring_pool_key=SECRET",
      "9/allocate_number.json?ring_pool_key=SECRET&m1=%E0%A4%A"
    ]) {
      const parsed = ApiSuffix.parse(suffix)
      assert.isTrue(Result.isFailure(parsed))
      if (Result.isFailure(parsed)) assert.notInclude(parsed.failure, "SECRET")
    }
  })

  it("holds the key out of sight: not in JSON or a spread, in the clear only through keyOf", () => {
    const parsed = ApiSuffix.parse("1/allocate_number.json?ring_pool_key=SECRET&m1=a")
    assert.isTrue(Result.isSuccess(parsed))
    if (Result.isFailure(parsed)) return
    assert.notInclude(JSON.stringify(parsed.success), "SECRET")
    assert.notInclude(JSON.stringify({ ...parsed.success }), "SECRET")
    assert.strictEqual(String(parsed.success.ringPoolKey), "<redacted>")
    assert.strictEqual(Redacted.value(parsed.success.ringPoolKey!), "SECRET")
    assert.strictEqual(ApiSuffix.keyOf(parsed.success), "SECRET")
    assert.strictEqual(
      ApiSuffix.keyOf({ ringPoolId: "1", ringPoolKey: Redacted.make("OTHER"), params: [["m1", "a"]] }),
      "OTHER"
    )
  })

  it("masks the key for display, under any encoding or case of its name", () => {
    assert.strictEqual(
      ApiSuffix.mask("1/allocate_number.json?ring_pool_key=SECRET&m1=a"),
      "1/allocate_number.json?ring_pool_key=<redacted>&m1=a"
    )
    for (const name of ["ring%5Fpool%5Fkey", "ring%5fpool_key", "RING_POOL_KEY", "%72ing_pool_key"]) {
      assert.strictEqual(
        ApiSuffix.mask(`/api/2013-07-01/1/allocate_number.json?m1=a&${name}=SECRET&m2=b`),
        `/api/2013-07-01/1/allocate_number.json?m1=a&${name}=<redacted>&m2=b`
      )
    }
    assert.strictEqual(
      ApiSuffix.mask("1/allocate_number.json?ring_pool_keys=x"),
      "1/allocate_number.json?ring_pool_keys=x"
    )
  })
})

describe("ApiSuffix.matchSingleApiPath", () => {
  it("reads the single API's paths as public code writes them, with any date and format", () => {
    assert.deepStrictEqual(ApiSuffix.matchSingleApiPath("/api/2014-07-28/ring_pools/123/allocate_number.xml"), {
      apiVersion: "2014-07-28",
      ringPoolId: "123",
      format: "xml"
    })
    assert.deepStrictEqual(ApiSuffix.matchSingleApiPath("/api/2013-07-01/9%20a/allocate_number.csv"), {
      apiVersion: "2013-07-01",
      ringPoolId: "9 a",
      format: "csv"
    })
    for (const path of [
      "/api/2013-07-01/bulk.json",
      "/api/2013-07-01/ring_pools/1/allocate_number.html",
      "/api/2013-07-01/ring_pools//allocate_number.json",
      "/ring_pools/1/allocate_number.json"
    ]) {
      assert.isUndefined(ApiSuffix.matchSingleApiPath(path))
    }
  })
})
