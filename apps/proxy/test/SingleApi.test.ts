/**
 * The single RingPool API through the proxy: each documented format and error form, byte for byte against the
 * documented examples, with numbers that the fake's log gave to exactly the parameters sent.
 */
import { connect } from "node:net"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { examples } from "./support/examples.ts"
import { get, rawExchange, rawGet } from "./support/http.ts"
import { key, type Setup, start } from "./support/proxy.ts"

let setup: Setup
beforeAll(async () => {
  setup = await start()
})
afterAll(() => setup.close())
beforeEach(() => setup.fake.reset())

const { example } = examples

/** The one allocation the fake logged, which must be for exactly these parameters. */
const logged = (params: Record<string, string>) => {
  const allocations = setup.fake.allocations()
  assert.strictEqual(allocations.length, 1)
  assert.deepStrictEqual(allocations[0]!.params, params)
  return allocations[0]!
}

describe("answers in the documented formats", () => {
  it("json: the documented fields, in the documented order", async () => {
    const reply = await get(setup.single(`ring_pool_key=${key}&site=autos&location=ford`))
    assert.strictEqual(reply.status, 200)
    assert.strictEqual(reply.headers["content-type"], "application/json; charset=utf-8")
    const allocation = logged({ site: "autos", location: "ford" })
    const answer = JSON.parse(reply.body) as Record<string, string>
    assert.strictEqual(answer.promo_number, allocation.promoNumber)
    const expected = examples.json
      .replace(example.promoNumberFormatted, answer.promo_number_formatted!)
      .replace(example.trackingUrl, answer.tracking_url!)
      .replace(example.promoNumber, allocation.promoNumber)
    assert.strictEqual(reply.body, expected)
    assert.match(answer.tracking_url!, /^http:\/\/tracking\.ringpool\.test\//)
  })

  it("xml: the declaration, then the documented elements in order", async () => {
    const reply = await get(setup.single(`ring_pool_key=${key}&site=autos`, { format: "xml" }))
    assert.strictEqual(reply.status, 200)
    assert.strictEqual(reply.headers["content-type"], "application/xml; charset=utf-8")
    const allocation = logged({ site: "autos" })
    const formatted = `${allocation.promoNumber.slice(0, 3)}-${allocation.promoNumber.slice(3, 6)}-${allocation.promoNumber.slice(6)}`
    const url = /<TrackingUrl>(.*)<\/TrackingUrl>/.exec(reply.body)?.[1] ?? assert.fail("no TrackingUrl")
    const expected = `${examples.xmlDeclaration}\n${examples.xml
      .replace(example.promoNumberFormatted, formatted)
      .replace(example.promoNumber, allocation.promoNumber)
      .replace(example.xmlTrackingUrl, url)}`
    assert.strictEqual(reply.body, expected)
  })

  it("csv: the documented header line, then one line of values", async () => {
    const reply = await get(setup.single(`ring_pool_key=${key}&m1=`, { format: "csv" }))
    assert.strictEqual(reply.status, 200)
    assert.strictEqual(reply.headers["content-type"], "text/csv; charset=utf-8")
    const allocation = logged({ m1: "" })
    const [header, values, end] = reply.body.split("\n")
    assert.strictEqual(header, examples.csvHeader)
    assert.strictEqual(end, "")
    const [formatted, number, url] = values!.split(",")
    assert.strictEqual(number, allocation.promoNumber)
    assert.strictEqual(formatted, `${number!.slice(0, 3)}-${number!.slice(3, 6)}-${number!.slice(6)}`)
    assert.match(url!, /^http:\/\/tracking\.ringpool\.test\/c\/1\//)
  })

  it("the overflow number: a plain success, as documented, flagged only in a header", async () => {
    const answers = []
    for (const visit of ["a", "b", "c"]) {
      answers.push(await get(setup.single(`ring_pool_key=${key}&visit=${visit}`, { pool: "small" })))
    }
    const third = answers[2]!
    assert.strictEqual(third.status, 200)
    assert.strictEqual((JSON.parse(third.body) as Record<string, string>).promo_number, "8005550199")
    assert.deepStrictEqual(Object.keys(JSON.parse(third.body) as object), [
      "promo_number_formatted",
      "tracking_url",
      "promo_number"
    ])
    assert.strictEqual(third.headers["x-ringpool-overflow"], "true")
    assert.isUndefined(answers[0]!.headers["x-ringpool-overflow"])
    assert.isTrue(setup.fake.allocations()[2]!.overflow)
  })

  it("any date segment, with or without ring_pools/, and an absolute-form target", async () => {
    for (const date of ["2012-01-10", "2015-12-09", "2021-02-11"]) {
      const reply = await get(setup.single(`ring_pool_key=${key}&d=${date}`, { date }))
      assert.strictEqual(reply.status, 200, reply.body)
    }
    const bare = await get(`${setup.proxy.url}/api/2014-07-28/1/allocate_number.json?ring_pool_key=${key}&d=bare`)
    assert.strictEqual(bare.status, 200, bare.body)
    const absolute = await rawGet(
      setup.proxy.url,
      `http://pnapi.invoca.net/api/2014-07-28/ring_pools/1/allocate_number.json?ring_pool_key=${key}&d=abs`
    )
    assert.strictEqual(absolute.status, 200, absolute.body)
    assert.deepStrictEqual(
      setup.fake.allocations().map((a) => a.params.d),
      ["2012-01-10", "2015-12-09", "2021-02-11", "bare", "abs"]
    )
  })
})

describe("errors in the documented forms", () => {
  it("InvalidKey: the documented plain text for json and csv, the documented element for xml; the key masked", async () => {
    const wrong = example.key
    const pool = example.ringPoolId
    const masked = examples.errorText.replace(wrong, "<redacted>")
    for (const format of ["json", "csv"]) {
      const reply = await get(setup.single(`ring_pool_key=${wrong}&m1=autos`, { pool, format }))
      assert.strictEqual(reply.status, 403)
      assert.strictEqual(reply.headers["content-type"], "text/plain; charset=utf-8")
      assert.strictEqual(reply.body, masked)
    }
    const xml = await get(setup.single(`ring_pool_key=${wrong}&m1=autos`, { pool, format: "xml" }))
    assert.strictEqual(xml.status, 403)
    assert.strictEqual(xml.headers["content-type"], "application/xml; charset=utf-8")
    assert.strictEqual(xml.body, examples.errorXml.replace(wrong, "&lt;redacted&gt;"))
    assert.strictEqual(setup.fake.allocations().length, 0)
  })

  it("InternalServiceError with its integer error handle, in the same forms (a 502: the service failed)", async () => {
    for (const format of ["json", "xml"]) {
      setup.fake.inject({ fault: "status", status: 500 })
      const reply = await get(setup.single(`ring_pool_key=${key}&m1=a`, { format }))
      assert.strictEqual(reply.status, 502)
      const handle = setup.fake.calls().at(-1)!.error!.invalid_data!
      assert.match(handle, /^refer to error handle \d+$/)
      assert.strictEqual(
        reply.body,
        format === "xml"
          ? `<Error><Class>InternalServiceError</Class><Message>${handle}</Message></Error>`
          : `InternalServiceError: ${handle}`
      )
    }
  })

  it("OnlyBulkNumberAllocationAllowed from upstream (a base URL that is not bulk's) in the same forms", async () => {
    const body = JSON.stringify({
      errors: {
        invalid_data: "Numbers are automatically allocated by the PNAPI server",
        class: "OnlyBulkNumberAllocationAllowed"
      }
    })
    setup.fake.inject({ fault: "status", status: 403, body })
    const reply = await get(setup.single(`ring_pool_key=${key}&m1=a`, { format: "csv" }))
    assert.strictEqual(reply.status, 502)
    assert.strictEqual(
      reply.body,
      "OnlyBulkNumberAllocationAllowed: Numbers are automatically allocated by the PNAPI server"
    )
  })

  it("an unknown pool: 404 with the service's class", async () => {
    const reply = await get(setup.single(`ring_pool_key=${key}&m1=a`, { pool: "404404" }))
    assert.strictEqual(reply.status, 404)
    assert.strictEqual(reply.body, "RingPoolNotFound: RingPool '404404' was not found")
    const xml = await get(setup.single(`ring_pool_key=${key}&m1=a`, { pool: "404404", format: "xml" }))
    assert.strictEqual(
      xml.body,
      "<Error><Class>RingPoolNotFound</Class><Message>RingPool '404404' was not found</Message></Error>"
    )
  })

  it("a full pool that allows no overflow: 409 NoNumberAvailable", async () => {
    const answers = []
    for (const visit of ["a", "b"])
      answers.push(await get(setup.single(`ring_pool_key=${key}&v=${visit}`, { pool: "strict" })))
    assert.strictEqual(answers[0]!.status, 200)
    assert.strictEqual(answers[1]!.status, 409)
    assert.match(answers[1]!.body, /^NoNumberAvailable: /)
  })

  it("a missing key and no parameters: 400, refused before any bulk call", async () => {
    for (const query of ["m1=autos", "ring_pool_key=&m1=autos"]) {
      const reply = await get(setup.single(query))
      assert.strictEqual(reply.status, 400)
      assert.match(reply.body, /^MissingRingPoolKey: ring_pool_key is required/)
    }
    const none = await get(setup.single(`ring_pool_key=${key}`, { format: "xml" }))
    assert.strictEqual(none.status, 400)
    assert.match(none.body, /^<Error><Class>MissingParameters<\/Class><Message>at least one RingPool parameter/)
    assert.strictEqual(setup.fake.calls().length, 0)
  })

  it("a wrong method, an unknown path, a URL over the limit", async () => {
    const post = await get(setup.single(`ring_pool_key=${key}&m1=a`), { method: "POST", body: "x" })
    assert.strictEqual(post.status, 405)
    assert.strictEqual(post.headers.allow, "GET")
    assert.match(post.body, /^MethodNotAllowed: /)
    const unknown = await get(`${setup.proxy.url}/api/2014-07-28/ring_pools/1/numbers.json?ring_pool_key=${key}`)
    assert.strictEqual(unknown.status, 404)
    assert.notInclude(unknown.body, key)
    const long = await get(setup.single(`ring_pool_key=${key}&m1=${"a".repeat(9_000)}`))
    assert.strictEqual(long.status, 414)
    assert.strictEqual(setup.fake.calls().length, 0)
  })
})

describe("liberal in what it accepts", () => {
  it("values appended unencoded: raw spaces, a lone %, +, raw UTF-8 and Latin-1 bytes", async () => {
    const utf8 = Buffer.from("café", "utf8").toString("latin1")
    const reply = await rawGet(
      setup.proxy.url,
      `/api/2014-07-28/ring_pools/1/allocate_number.json?ring_pool_key=${key}&site=50% off&kw=red+shoes&city=${utf8}&old=caf\xe9&q=%41%zz`
    )
    assert.strictEqual(reply.status, 200, reply.body)
    assert.strictEqual(reply.headers.connection, "close")
    logged({ site: "50% off", kw: "red shoes", city: "café", old: "café", q: "A%zz" })
  })

  it("the key under another spelling of its name, and stray separators", async () => {
    const reply = await get(setup.single(`&RING_POOL_KEY=${key}&&=x&m1=a&flag`))
    assert.strictEqual(reply.status, 200, reply.body)
    logged({ m1: "a", flag: "" })
  })

  it("a sloppy request pipelined after another is refused, never served with the other's pool, key and values", async () => {
    const line = (pool: string, query: string) =>
      `GET /api/2014-07-28/ring_pools/${pool}/allocate_number.json?${query} HTTP/1.1\r\nHost: x\r\n\r\n`
    // Both in one packet: the second line, with a raw space, is the one Node's parser refuses.
    const text = await rawExchange(
      setup.proxy.url,
      `${line("1", `ring_pool_key=${key}&n=first`)}${line("small", `ring_pool_key=${key}&site=50% off`)}`
    )
    // No answer for the second request (the connection closes); the first was allocated once, for its own values;
    // the second not at all, and not as a copy of it.
    assert.isAtMost((text.match(/^HTTP\/1\.1 /gm) ?? []).length, 1)
    const allocations = setup.fake.allocations()
    assert.isAtMost(allocations.length, 1)
    for (const allocation of allocations) assert.deepStrictEqual(allocation.params, { n: "first" })
    assert.notInclude(text, "800-555-01")
  })

  it("a sloppy line that began in an earlier packet is refused, not read from the middle", async () => {
    const { hostname, port } = new URL(setup.proxy.url)
    const socket = connect(Number(port), hostname)
    await new Promise((resolve) => socket.once("connect", resolve))
    let text = ""
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk
    })
    const closed = new Promise((resolve) => socket.once("close", resolve))
    socket.write(`GET /api/2014-07-28/ring_pools/small/allocate_number.json?ring_pool_key=${key}&site=a`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    // What a reader of this packet alone would take for a request line of its own.
    socket.write(
      `GET /api/2014-07-28/ring_pools/1/allocate_number.json?ring_pool_key=${key}&n=inside HTTP/1.1\r\nHost: x\r\n\r\n`
    )
    await closed
    assert.match(text, /^HTTP\/1\.1 400 /)
    assert.strictEqual(setup.fake.allocations().length, 0)
  })

  it("a request line too broken to read gets a 400, and the proxy keeps serving", async () => {
    const broken = await rawGet(setup.proxy.url, "no-slash here")
    assert.strictEqual(broken.status, 400)
    const after = await get(setup.single(`ring_pool_key=${key}&m1=a`))
    assert.strictEqual(after.status, 200)
  })
})

describe("health", () => {
  it("GET /healthz answers ok without calling the service", async () => {
    const reply = await get(`${setup.proxy.url}/healthz`)
    assert.deepStrictEqual([reply.status, reply.body], [200, "ok\n"])
    assert.strictEqual(setup.fake.calls().length, 0)
  })
})
