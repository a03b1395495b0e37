import { Agent } from "node:http"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { BulkProtocol } from "@ringpool/core"
import { Schema } from "effect"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "../src/index.ts"
import { postBulk, send } from "./support/http.ts"
import { vectors } from "./support/vectors.ts"

const running: Array<FakeRingPoolServer.FakeRingPoolServer> = []
const start = async (options: FakeRingPoolServer.StartOptions) => {
  const fake = await startFakeRingPoolServer({ onUnexpectedRequest: () => {}, ...options })
  running.push(fake)
  return fake
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((fake) => fake.close()))
})

const decodeResponse = Schema.decodeUnknownSync(BulkProtocol.ResponseBody)
const decodeError = Schema.decodeUnknownSync(BulkProtocol.ErrorBody)
type Row = Record<string, unknown>

const rowsOf = (text: string): Array<Row> => {
  decodeResponse(JSON.parse(text))
  return (JSON.parse(text) as { responses: Array<Row> }).responses
}

const failure = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => assert.fail("expected a rejection"),
    (error: Error) => error
  )

const suffix = (pool: string, key: string, query: string) => `${pool}/allocate_number.json?ring_pool_key=${key}${query}`

describe("startFakeRingPoolServer: the documented bulk call over a real connection", () => {
  it("answers the seed's example request as the seed's example response is shaped", async () => {
    // The seed's placeholders are the pool's id and key: its request goes over the wire byte for byte.
    const fake = await start({ pools: [{ id: "<RING_POOL_ID>", key: "<RING_POOL_KEY>", size: 2 }] })
    const answer = await postBulk(fake.url, JSON.stringify(vectors.request))
    assert.strictEqual(answer.status, 200)
    assert.match(String(answer.headers["content-type"]), /^application\/json/)
    const processingTime = answer.headers[vectors.processingTimeHeader]
    assert.isString(processingTime)
    assert.isTrue(Number.isFinite(Number(processingTime)) && Number(processingTime) >= 0, `${processingTime}`)

    const rows = rowsOf(answer.text)
    const expected = vectors.response.responses
    assert.strictEqual(rows.length, expected.length)
    const numbers = new Set<string>()
    rows.forEach((row, i) => {
      // The same fields as the seed's row: `overflow` appears on the third row only, the overflow number's.
      assert.deepStrictEqual(Object.keys(row).sort(), Object.keys(expected[i]!).sort())
      assert.strictEqual(row.request_id, expected[i]!.request_id)
      assert.match(row.promo_number as string, /^\d{10}$/)
      assert.match(row.promo_number_formatted as string, /^\d{3}-\d{3}-\d{4}$/)
      assert.strictEqual((row.promo_number_formatted as string).replace(/-/g, ""), row.promo_number)
      assert.doesNotThrow(() => new URL(row.tracking_url as string))
      numbers.add(row.promo_number as string)
    })
    assert.isFalse("overflow" in rows[0]! || "overflow" in rows[1]!)
    assert.strictEqual(rows[2]!.overflow, true)
    assert.strictEqual(numbers.size, 3)
    assert.deepStrictEqual(
      fake.allocations().map((a) => [a.requestId, a.promoNumber, a.overflow, a.params]),
      [
        ["193C5F", rows[0]!.promo_number, false, { m1: "autos", m2: "ford" }],
        ["58CD4F", rows[1]!.promo_number, false, { m1: "antiques" }],
        ["E3901B", rows[2]!.promo_number, true, { m1: "electronics" }]
      ]
    )
  })

  it("echoes request_id exactly: repeats kept, an absent one stays absent; accepts the prose's `request` key", async () => {
    const fake = await start({ pools: [{ id: "9", key: "k", size: 10 }] })
    const rows = [
      { api_suffix: suffix("9", "k", "&m1=a"), request_id: "X" },
      { api_suffix: suffix("9", "k", "&m1=b"), request_id: "X" },
      { api_suffix: suffix("9", "k", "&m1=c") },
      { api_suffix: suffix("9", "k", "&m1="), request_id: "" }
    ]
    const answered = rowsOf((await postBulk(fake.url, { request: rows })).text)
    assert.deepStrictEqual(
      answered.map((row) => ("request_id" in row ? row.request_id : "<absent>")),
      ["X", "X", "<absent>", ""]
    )
    assert.deepStrictEqual(fake.allocations()[3]!.params, { m1: "" })
  })

  it("fails the faulty rows alone: InvalidKey (the documented row), unknown pool, no parameters, unparsable suffix", async () => {
    const fake = await start({ pools: [{ id: "1", key: "right-key", size: 10 }] })
    const seedRows = vectors.responseWithRowError.responses
    const answer = await postBulk(fake.url, {
      requests: [
        { api_suffix: suffix("1", "right-key", "&m1=autos"), request_id: "193C5F" },
        { api_suffix: suffix("1", "A329F4DC002168", "&m1=antiques"), request_id: "58CD4F" },
        { api_suffix: suffix("404", "right-key", "&m1=x"), request_id: "pool" },
        { api_suffix: suffix("1", "right-key", ""), request_id: "params" },
        { api_suffix: "1/allocate_number.json?ring_pool_key=right-key&m1=%E0%A4", request_id: "encoding" },
        { api_suffix: "1/allocate_number.xml?ring_pool_key=right-key&m1=x", request_id: "path" },
        { request_id: "no-suffix" },
        { api_suffix: suffix("1", "right-key", "&m1=electronics"), request_id: "E3901B" }
      ]
    })
    assert.strictEqual(answer.status, 200)
    const rows = rowsOf(answer.text)
    assert.deepStrictEqual(rows[1], seedRows[1])
    assert.deepStrictEqual(
      rows.map((row) => [row.request_id, row.error_class ?? "allocated"]),
      [
        ["193C5F", "allocated"],
        ["58CD4F", "InvalidKey"],
        ["pool", "RingPoolNotFound"],
        ["params", "MissingParameters"],
        ["encoding", "InvalidApiSuffix"],
        ["path", "InvalidApiSuffix"],
        ["no-suffix", "InvalidApiSuffix"],
        ["E3901B", "allocated"]
      ]
    )
    for (const row of rows.filter((r) => "error_class" in r)) assert.isString(row.message)
    assert.deepStrictEqual(
      fake.allocations().map((a) => a.requestId),
      ["193C5F", "E3901B"]
    )
  })

  it("answers the single API's URL with OnlyBulkNumberAllocationAllowed", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 1 }] })
    for (const path of [
      "/api/2015-12-09/ring_pools/1/allocate_number.json?ring_pool_key=k&m1=a",
      "/api/2013-07-01/1/allocate_number.json?ring_pool_key=k&m1=a"
    ]) {
      const answer = await send(fake.url, "GET", path)
      assert.strictEqual(answer.status, 403)
      assert.deepStrictEqual(JSON.parse(answer.text), vectors.onlyBulkError)
    }
    assert.strictEqual(fake.allocations().length, 0)
    assert.deepStrictEqual(
      fake.calls().map((call) => call.kind),
      ["singleApi", "singleApi"]
    )
  })

  it("refuses a body that is not JSON, has no requests array, or an empty one, with a 4xx errors body", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 1 }] })
    const cases: Array<[string, string]> = [
      ["{not json", "InvalidJson"],
      ["", "InvalidJson"],
      ["{}", "InvalidRequest"],
      ['{"requests":"1/allocate_number.json"}', "InvalidRequest"],
      ["[]", "InvalidRequest"],
      ['{"requests":[]}', "EmptyRequest"]
    ]
    for (const [body, errorClass] of cases) {
      const answer = await postBulk(fake.url, body)
      assert.isTrue(answer.status >= 400 && answer.status < 500, `${body}: ${answer.status}`)
      const error = decodeError(JSON.parse(answer.text))
      assert.strictEqual(error.errors.class, errorClass, body)
      assert.isString(error.errors.invalid_data)
    }
  })

  it("answers unknown paths and methods loudly: a 404 errors body, a recorded unexpected call, a report", async () => {
    const told: Array<string> = []
    const fake = await start({ onUnexpectedRequest: (call) => told.push(`${call.method} ${call.path}`) })
    const wrong: Array<[string, string]> = [
      ["GET", "/"],
      ["GET", "/api/2013-07-01/bulk.json"],
      ["POST", "/api/2013-07-01/bulk.xml"],
      ["POST", "/bulk.json"]
    ]
    for (const [method, path] of wrong) {
      const answer = await send(fake.url, method, path, method === "POST" ? "{}" : undefined)
      assert.strictEqual(answer.status, 404)
      assert.strictEqual(decodeError(JSON.parse(answer.text)).errors.class, "NotFound")
    }
    assert.deepStrictEqual(
      told,
      wrong.map(([method, path]) => `${method} ${path}`)
    )
    assert.isTrue(fake.calls().every((call) => call.kind === "unexpected"))
  })
})

describe("startFakeRingPoolServer: pools, time and connections", () => {
  const allocate = async (fake: FakeRingPoolServer.FakeRingPoolServer, id: string) =>
    rowsOf(
      (await postBulk(fake.url, { requests: [{ api_suffix: suffix("1", "k", `&v=${id}`), request_id: id }] })).text
    )[0]!

  it("reuses numbers after lifetimeSeconds, least recently allocated first, on the manual clock", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 2, lifetimeSeconds: 60 }], clock: "manual" })
    const a = await allocate(fake, "a")
    fake.advance(10_000)
    const b = await allocate(fake, "b")
    assert.notStrictEqual(a.promo_number, b.promo_number)
    fake.advance(49_999)
    assert.strictEqual((await allocate(fake, "c")).overflow, true)
    fake.advance(1)
    const d = await allocate(fake, "d")
    assert.deepStrictEqual([d.promo_number, "overflow" in d], [a.promo_number, false])
    assert.strictEqual((await allocate(fake, "e")).overflow, true)
    fake.advance(10_000)
    assert.strictEqual((await allocate(fake, "f")).promo_number, b.promo_number)
    // Attribution over time: number a belonged to visit a, and from 60 s on to visit d.
    assert.strictEqual(fake.attribute(a.promo_number as string, 59_999)?.requestId, "a")
    assert.strictEqual(fake.attribute(a.promo_number as string, 60_000)?.requestId, "d")
    assert.strictEqual(fake.attribute(a.promo_number as string)?.requestId, "d")
    assert.deepStrictEqual(
      fake.allocations().map((record) => record.at),
      [0, 10_000, 59_999, 60_000, 60_000, 70_000]
    )
  })

  it("gives a row error instead of the overflow number when allowOverflow is false", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 1, allowOverflow: false }] })
    assert.match((await allocate(fake, "a")).promo_number as string, /^\d{10}$/)
    assert.strictEqual((await allocate(fake, "b")).error_class, "NoNumberAvailable")
  })

  it("keeps the connection alive between calls, and a drop really destroys it", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 10 }] })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      await postBulk(fake.url, { requests: [{ api_suffix: suffix("1", "k", "&m1=a") }] }, agent)
      const second = await postBulk(fake.url, { requests: [{ api_suffix: suffix("1", "k", "&m1=b") }] }, agent)
      assert.isTrue(second.reusedSocket)
      fake.inject({ fault: "drop" })
      const dropped = await postBulk(fake.url, { requests: [{ api_suffix: suffix("1", "k", "&m1=c") }] }, agent).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => error
      )
      assert.isDefined(dropped)
      assert.include(["ECONNRESET", "UND_ERR_SOCKET"], dropped!.code ?? "ECONNRESET")
      assert.match(dropped!.message, /socket hang up|ECONNRESET/)
      const after = await postBulk(fake.url, { requests: [{ api_suffix: suffix("1", "k", "&m1=d") }] }, agent)
      assert.strictEqual(after.status, 200)
      assert.isFalse(after.reusedSocket)
      assert.strictEqual(fake.allocations().length, 4)
    } finally {
      agent.destroy()
    }
  })

  it("sends truncated and malformed bodies as complete 200 answers", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 10 }] })
    fake.inject({ fault: "truncate" })
    fake.inject({ fault: "malformed", times: 1 })
    const body = { requests: [{ api_suffix: suffix("1", "k", "&m1=a") }] }
    const both = await postBulk(fake.url, body)
    assert.strictEqual(both.status, 200)
    assert.throws(() => JSON.parse(both.text))
    fake.inject({ fault: "truncate" })
    const truncated = await postBulk(fake.url, body)
    assert.strictEqual(truncated.status, 200)
    assert.match(truncated.text, /^\{"responses":\[/)
    assert.throws(() => JSON.parse(truncated.text))
  })

  it("survives a client that gives up while its answer is delayed", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 2 }] })
    fake.inject({ fault: "delay", ms: 100 })
    const abandoned = new AbortController()
    const gaveUp = fetch(`${fake.url}/api/2013-07-01/bulk.json`, {
      method: "POST",
      body: JSON.stringify({ requests: [{ api_suffix: suffix("1", "k", "&m1=a") }] }),
      signal: abandoned.signal
    }).catch((error: Error) => error.name)
    while (fake.calls().length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    abandoned.abort()
    assert.strictEqual(await gaveUp, "AbortError")
    await new Promise((resolve) => setTimeout(resolve, 200))
    const next = await allocate(fake, "b")
    assert.match(next.promo_number as string, /^\d{10}$/)
  })

  it("close ends open connections and answers still waiting on a delay", async () => {
    const fake = await startFakeRingPoolServer({ pools: [{ id: "1", key: "k", size: 1 }] })
    fake.inject({ fault: "delay", ms: 600_000 })
    const pending = postBulk(fake.url, { requests: [{ api_suffix: suffix("1", "k", "&m1=a") }] }).then(
      () => "answered",
      () => "connection closed"
    )
    while (fake.calls().length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await fake.close()
    assert.strictEqual(await pending, "connection closed")
  })

  it("listens on 127.0.0.1 on any free port by default, and checks its options", async () => {
    const fake = await start({})
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/)
    assert.throws(() => fake.advance(1), TypeError, /clock: "manual"/)
    assert.instanceOf(await failure(startFakeRingPoolServer({ clock: "fake" as "manual" })), TypeError)
    assert.instanceOf(await failure(startFakeRingPoolServer({ port: -1 })), TypeError)
    // A port written as text is shown as text: "got 4000" would read as a number refused.
    for (const [port, shown] of [
      ["4000", 'got "4000"'],
      [4010n, "got 4010n"],
      [Number.NaN, "got NaN"]
    ] as const) {
      assert.include(String(await failure(startFakeRingPoolServer({ port: port as unknown as number }))), shown)
    }
    const misspelt = await failure(startFakeRingPoolServer({ ports: 0 } as FakeRingPoolServer.StartOptions))
    assert.match(misspelt.message, /unknown option "ports"; known: pools, port, host, clock/)
    const taken = Number(new URL(fake.url).port)
    assert.match((await failure(startFakeRingPoolServer({ port: taken }))).message, /pick another port/)
  })

  it("reset clears faults, logs and pools; the manual clock keeps its time", async () => {
    const fake = await start({ pools: [{ id: "1", key: "k", size: 1 }], clock: "manual" })
    const first = await allocate(fake, "a")
    fake.inject({ fault: "status", status: 500, times: "always" })
    fake.advance(5)
    fake.reset()
    assert.deepStrictEqual([fake.allocations().length, fake.calls().length], [0, 0])
    const again = await allocate(fake, "b")
    assert.strictEqual(again.promo_number, first.promo_number)
    assert.strictEqual(fake.now(), 5)
  })
})
