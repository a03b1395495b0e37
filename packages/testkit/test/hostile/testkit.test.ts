/**
 * The fake under attack: what a wrong or hostile client can send it over loopback. Every case asserts what holds for
 * all of them: exactly one answer per row, in order; no ring pool key, in any encoding or as any 6-character piece,
 * in any output (answers, `calls()`, `allocations()`, stderr); memory bounded where the case measures it (the fake in a
 * child process, its peak RSS read from /proc/<pid>/status VmHWM); no unhandled rejection; and the fake still serving
 * afterwards.
 *
 * Answers are the one output that may carry a key back, in two documented places only: the `InvalidKey` message
 * quotes the key the row sent (as the service does; clients mask it), and `request_id` is echoed exactly. The checks
 * of answers leave those two out and look at everything else.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { type IncomingHttpHeaders, type IncomingMessage, request } from "node:http"
import { connect, type Socket } from "node:net"
import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { createRingPoolClient, type Outcome, RingPoolClient } from "@ringpool/core"
import { Effect } from "effect"
import { FakeRingPool, type FakeRingPoolServer, startFakeRingPoolServer } from "../../src/index.ts"

// Keys with a space, `/`, `+`, `&`, `=` and a non-ASCII letter, so that every encoding of them differs.
const KEY = "Zq7Wm Xv/+&=Kp9üJ4"
const OTHER = "Rt5Yn Bw/+&=Hc3äL8"
const MiB = 1024 * 1024
const bulkPath = "/api/2013-07-01/bulk.json"

// ---- The oracle: every form a key can take, written here from the RFCs, not taken from the code under test. ----

const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const everyByte = (text: string) =>
  [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")
const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (triplet) => triplet.toLowerCase())

const formsOf = (key: string): Set<string> => {
  const forms = new Set([key, key.replaceAll(" ", "+"), JSON.stringify(key).slice(1, -1)])
  for (const encoded of [encodeURIComponent(key), rfc3986(key), everyByte(key)]) {
    for (const form of [encoded, lowerHex(encoded)]) forms.add(form).add(form.replaceAll("%20", "+"))
  }
  return forms
}

const pieces = new Set<string>()
for (const key of [KEY, OTHER]) {
  for (const form of formsOf(key)) for (let i = 0; i + 6 <= form.length; i++) pieces.add(form.slice(i, i + 6))
}

const assertNoKey = (text: string, where: string): void => {
  for (const piece of pieces) {
    const at = text.indexOf(piece)
    if (at !== -1) assert.fail(`${where} holds a piece of a ring pool key at ${at}: ...${text.slice(at - 20, at)}`)
  }
}

/** An answer's text without its two documented echoes: `request_id` and the `InvalidKey` quote of the key sent. */
const withoutEchoes = (text: string): string => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return text
  }
  const responses = (value as { responses?: Array<Record<string, unknown>> }).responses
  if (Array.isArray(responses)) for (const row of responses) delete row.request_id
  return JSON.stringify(value).replace(/API Key '[^']*' is not valid/g, "API Key '' is not valid")
}

// ---- Raw HTTP: bytes on a socket, so that nothing between the test and the fake tidies them up. ----

interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly text: string
}

/** An answer read to its end. */
const answerOf = (res: IncomingMessage): Promise<Answer> =>
  new Promise((resolve, reject) => {
    let text = ""
    res.setEncoding("utf8")
    res.on("data", (chunk: string) => {
      text += chunk
    })
    res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }))
    res.on("error", reject)
  })

/** Sends a request and resolves with its answer (or with the error, when the connection died first). */
const exchange = (
  url: string,
  options: {
    readonly method?: string
    readonly path?: string
    readonly headers?: Record<string, string | number>
    readonly body?: string | Buffer
    /** Writes this chunk until the answer comes or `totalBytes` are written (chunked when there is no length). */
    readonly stream?: { readonly chunk: Buffer; readonly totalBytes: number }
  }
): Promise<Answer | Error> =>
  new Promise((resolve) => {
    let answered = false
    const req = request(
      `${url}${options.path ?? bulkPath}`,
      { method: options.method ?? "POST", agent: false, headers: options.headers ?? {} },
      (res) => {
        answered = true
        answerOf(res).then(resolve, resolve)
      }
    )
    req.on("error", (error) => {
      if (!answered) resolve(error)
    })
    const stream = options.stream
    if (stream === undefined) return req.end(options.body)
    let sent = 0
    const pump = () => {
      while (!answered && !req.destroyed && sent < stream.totalBytes) {
        sent += stream.chunk.length
        if (!req.write(stream.chunk)) return req.once("drain", pump)
      }
      if (!answered && !req.destroyed) req.end()
    }
    pump()
  })

const answered = (answer: Answer | Error): Answer => {
  if (answer instanceof Error) return assert.fail(`the connection died with no answer: ${answer.message}`)
  return answer
}

const suffixOf = (query: string, pool = "77") => `${pool}/allocate_number.json?${query}`
const goodRow = (i: number) => ({
  api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=ok${i}`),
  request_id: `ok${i}`
})

/** One answer per row, in order, `request_id` echoed where the row had a string one. */
const assertOneAnswerPerRow = (answer: Answer, entries: ReadonlyArray<unknown>) => {
  assert.strictEqual(answer.status, 200, answer.text.slice(0, 200))
  const rows = (JSON.parse(answer.text) as { responses: Array<Record<string, unknown>> }).responses
  assert.strictEqual(rows.length, entries.length, "one answer per row")
  rows.forEach((row, i) => {
    const entry = entries[i] as { request_id?: unknown } | null
    const sentId = typeof entry === "object" && entry !== null ? entry.request_id : undefined
    if (typeof sentId === "string") assert.strictEqual(row.request_id, sentId, `row ${i} echoes its request_id`)
    assert.isTrue("promo_number" in row !== "error_class" in row, `row ${i} is a success row or an error row`)
  })
  return rows
}

/** The fake still serves: a clean call gets every row allocated. */
const assertStillServes = async (url: string) => {
  const entries = [goodRow(1), goodRow(2)]
  const rows = assertOneAnswerPerRow(
    answered(await exchange(url, { body: JSON.stringify({ requests: entries }) })),
    entries
  )
  for (const row of rows) assert.isString(row.promo_number, JSON.stringify(row))
}

// ---- The fake in a child process, to read its peak memory. ----

interface Child {
  readonly url: string
  /** Peak resident memory so far, in MiB. */
  readonly peakMiB: () => number
  readonly stderr: () => string
  readonly stop: () => Promise<void>
}

const children: Array<ChildProcess> = []

const startChild = (options: object = {}): Promise<Child> =>
  new Promise((resolve, reject) => {
    const script =
      'const { startFakeRingPoolServer } = await import("@ringpool/testkit");' +
      "const fake = await startFakeRingPoolServer(JSON.parse(process.env.FAKE_OPTIONS));" +
      'process.stdout.write(fake.url + "\\n");' +
      'process.stdin.on("end", () => fake.close().then(() => process.exit(0))); process.stdin.resume()'
    // A small old space makes V8 collect garbage promptly, so that the peak reads live memory rather than garbage not
    // yet collected; and a fake that kept what it should not dies of it, which no bound can overlook. The young
    // generation is pinned at Node 20's size too: Node 24's V8 grows it several times larger before it collects.
    const flags = ["--max-old-space-size=128", "--max-semi-space-size=16"]
    const child = spawn(process.execPath, [...flags, "--input-type=module", "-e", script], {
      cwd: new URL("../..", import.meta.url),
      env: {
        ...process.env,
        FAKE_OPTIONS: JSON.stringify({ pools: [{ id: "77", key: KEY, size: 100_000 }], ...options })
      },
      stdio: ["pipe", "pipe", "pipe"]
    })
    children.push(child)
    let stderr = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.once("exit", (code) => reject(new Error(`the fake's process exited with ${code}: ${stderr}`)))
    child.stdout!.once("data", (chunk: Buffer) => {
      child.removeAllListeners("exit")
      resolve({
        url: chunk.toString("utf8").trim(),
        peakMiB: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024,
        stderr: () => stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once("exit", () => done())
            child.stdin!.end()
          })
      })
    })
  })

// ---- What must hold for the whole file. ----

const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled)
})
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled)
  for (const child of children) if (child.exitCode === null) child.kill()
  assert.deepStrictEqual(unhandled, [], "no unhandled rejection")
})

describe("bodies past maxRequestBytes, the fake in a process of its own", () => {
  let child: Child
  beforeAll(async () => {
    child = await startChild()
  })
  afterAll(() => child.stop())

  const assertRefused = (answer: Answer) => {
    assert.strictEqual(answer.status, 413)
    const body = JSON.parse(answer.text) as { errors: { class: string; invalid_data: string } }
    assert.strictEqual(body.errors.class, "RequestTooLarge")
    assert.include(body.errors.invalid_data, "maxRequestBytes")
  }

  it("100 MB with a Content-Length: 413 before it is read, memory flat, others served", async () => {
    const before = child.peakMiB()
    const answer = await exchange(child.url, {
      headers: { "content-type": "application/json", "content-length": 100 * MiB },
      stream: { chunk: Buffer.alloc(MiB, 0x20), totalBytes: 100 * MiB }
    })
    assertRefused(answered(answer))
    await assertStillServes(child.url)
    assert.isBelow(child.peakMiB() - before, 32, "peak memory grew by less than 32 MiB")
  })

  it("600 MB chunked (no length): 413 as soon as it passes the limit, the sender cut off, memory flat", async () => {
    const before = child.peakMiB()
    const answer = await exchange(child.url, {
      headers: { "content-type": "application/json" },
      stream: { chunk: Buffer.alloc(MiB, 0x5b), totalBytes: 600 * MiB }
    })
    assertRefused(answered(answer))
    await assertStillServes(child.url)
    assert.isBelow(child.peakMiB() - before, 32, "peak memory grew by less than 32 MiB")
  })

  it("Expect: 100-continue with 100 MB: 413 without a 100 Continue, so nothing is sent", async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(`${child.url}${bulkPath}`, {
        method: "POST",
        agent: false,
        headers: { expect: "100-continue", "content-length": 100 * MiB }
      })
      req.on("continue", () => reject(new Error("the fake asked for a body it would refuse")))
      req.on("response", (res) => answerOf(res).then(resolve, reject))
      req.on("error", reject)
      req.flushHeaders()
    })
    assertRefused(answer)
    await assertStillServes(child.url)
  })

  it("80 rows of 3.5 MB parameters: each allocated, and the logs keep memory bounded", async () => {
    const before = child.peakMiB()
    const huge = "p".repeat(3.5 * MiB)
    for (let i = 0; i < 80; i++) {
      const entries = [{ api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=${huge}`), request_id: `huge${i}` }]
      const rows = assertOneAnswerPerRow(
        answered(await exchange(child.url, { body: JSON.stringify({ requests: entries }) })),
        entries
      )
      assert.isString(rows[0]!.promo_number)
    }
    await assertStillServes(child.url)
    // 80 x 3.5 MB is 280 MB of parameters: the logs keep about 32 MiB each.
    assert.isBelow(child.peakMiB() - before, 128, "peak memory grew by less than 128 MiB")
  })

  it("many large bodies at once: past 16 bodies' worth a request gets 503, the others are answered", async () => {
    const before = child.peakMiB()
    const length = Math.floor(3.9 * MiB)
    const head = `{"requests":[{"api_suffix":"${suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=`)}`
    const tail = '","request_id":"big"}]}'
    const filler = Buffer.alloc(length - head.length - tail.length, 0x61)
    const sockets: Array<Promise<Answer | Error>> = []
    const ends: Array<() => void> = []
    for (let i = 0; i < 18; i++) {
      sockets.push(
        new Promise((resolve) => {
          const req = request(`${child.url}${bulkPath}`, {
            method: "POST",
            agent: false,
            headers: { "content-length": length }
          })
          req.on("response", (res) => answerOf(res).then(resolve, resolve))
          req.on("error", resolve)
          req.write(head)
          req.write(filler)
          ends.push(() => req.end(tail))
        })
      )
    }
    // Let every body but its last bytes arrive, so that all are being read at once, then finish them.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    for (const end of ends) end()
    const statuses = (await Promise.all(sockets)).map((answer) => answered(answer).status)
    assert.isTrue(statuses.includes(503), `statuses: ${statuses.join(", ")}`)
    assert.isTrue(statuses.includes(200), `statuses: ${statuses.join(", ")}`)
    assert.isTrue(
      statuses.every((status) => status === 200 || status === 503),
      `statuses: ${statuses.join(", ")}`
    )
    await assertStillServes(child.url)
    assert.isBelow(child.peakMiB() - before, 160, "peak memory grew by less than 160 MiB")
  })

  it("printed nothing of the key", () => {
    assertNoKey(child.stderr(), "stderr")
  })
})

describe("malformed bodies and garbage rows", () => {
  let fake: FakeRingPoolServer.FakeRingPoolServer
  beforeAll(async () => {
    fake = await startFakeRingPoolServer({ pools: [{ id: "77", key: KEY, size: 100_000 }] })
  })
  afterAll(() => fake.close())
  afterEach(() => fake.reset())

  it("bodies that are not a bulk body get a 400 errors body each, and allocate nothing", async () => {
    const bodies: Array<[string | Buffer, string]> = [
      ["", "InvalidJson"],
      ["not json", "InvalidJson"],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "InvalidJson"],
      ["[".repeat(100_000), "InvalidJson"],
      ["null", "InvalidRequest"],
      ["[]", "InvalidRequest"],
      ['{"requests":"x"}', "InvalidRequest"],
      ['{"requests":{"0":{}}}', "InvalidRequest"],
      [`{"__proto__":{"requests":[]},"x":1}`, "InvalidRequest"],
      ['{"requests":[]}', "EmptyRequest"],
      ['{"request":[]}', "EmptyRequest"]
    ]
    for (const [body, errorClass] of bodies) {
      const answer = answered(await exchange(fake.url, { body }))
      assert.strictEqual(answer.status, 400, String(body).slice(0, 40))
      assert.strictEqual((JSON.parse(answer.text) as { errors: { class: string } }).errors.class, errorClass)
    }
    assert.strictEqual(fake.allocations().length, 0)
    assert.strictEqual(fake.calls().length, bodies.length)
    // A byte order mark is not JSON, but RFC 8259 lets a parser ignore it: the fake does.
    const entries = [goodRow(0)]
    const bom = answered(await exchange(fake.url, { body: `\uFEFF${JSON.stringify({ requests: entries })}` }))
    assert.isString(assertOneAnswerPerRow(bom, entries)[0]!.promo_number)
    await assertStillServes(fake.url)
  })

  it("garbage rows get an error row each, in place; the good rows beside them are allocated", async () => {
    const entries: Array<unknown> = [
      1,
      null,
      "a string",
      [],
      {},
      { api_suffix: 5, request_id: "number-suffix" },
      { api_suffix: suffixOf("m1=x"), request_id: 7 },
      goodRow(0),
      { api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=%E0%A4`), request_id: "bad-encoding" },
      { api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&__proto__=x&constructor=y`), request_id: "proto" },
      { api_suffix: "", request_id: "empty" },
      { api_suffix: "../../etc/passwd", request_id: "traversal" },
      { api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}`), request_id: "no-params" },
      { request_id: "only-id" },
      { api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=${"x".repeat(100_000)}`), request_id: "long" },
      goodRow(1)
    ]
    const answer = answered(await exchange(fake.url, { body: JSON.stringify({ requests: entries }) }))
    const rows = assertOneAnswerPerRow(answer, entries)
    const allocated = rows.flatMap((row, i) => ("promo_number" in row ? [i] : []))
    assert.deepStrictEqual(allocated, [7, 9, 14, 15])
    assert.deepStrictEqual(Object.entries(fake.allocations()[1]!.params), [
      ["__proto__", "x"],
      ["constructor", "y"]
    ])
    assert.isUndefined(({} as Record<string, unknown>).x, "nothing reached Object.prototype")
    assert.strictEqual(fake.calls()[0]!.rows.length, entries.length)
    assertNoKey(withoutEchoes(answer.text), "the answer")
    assertNoKey(JSON.stringify(fake.calls()), "calls()")
    await assertStillServes(fake.url)
  })

  it("50,000 rows in one call: 50,000 answers, in order", async () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => (i % 2 === 0 ? {} : goodRow(i)))
    const rows = assertOneAnswerPerRow(
      answered(await exchange(fake.url, { body: JSON.stringify({ requests: entries }) })),
      entries
    )
    assert.strictEqual(rows.filter((row) => "promo_number" in row).length, 25_000)
    await assertStillServes(fake.url)
  })
})

describe("slow, aborted and endless senders", () => {
  let fake: FakeRingPoolServer.FakeRingPoolServer
  beforeAll(async () => {
    fake = await startFakeRingPoolServer({ pools: [{ id: "77", key: KEY, size: 100_000 }], maxRequestBytes: 64 * 1024 })
  })
  afterAll(() => fake.close())
  afterEach(() => fake.reset())

  const openSocket = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(fake.url)
      const socket = connect(Number(port), hostname, () => resolve(socket))
      socket.on("error", reject)
    })

  it("slowloris: 100 connections trickling headers and bodies do not keep the others from their numbers", async () => {
    const slow: Array<Socket> = []
    for (let i = 0; i < 100; i++) {
      const socket = await openSocket()
      socket.on("error", () => {})
      socket.write(i % 2 === 0 ? "POST /api/2013-07-01/bulk.json HTTP/1.1\r\nHost: x\r\nX-Slow: " : "")
      if (i % 2 === 1)
        socket.write(`POST ${bulkPath} HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n{"requests":[`)
      slow.push(socket)
    }
    const trickle = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write("a")
    }, 50)
    const client = createRingPoolClient({ baseUrl: fake.url })
    try {
      const outcomes = await client.allocateAll(
        Array.from({ length: 200 }, (_, i) => ({
          ringPoolId: "77",
          ringPoolKey: KEY,
          params: { m1: `visit${i}` },
          requestId: `r${i}`
        }))
      )
      assert.strictEqual(outcomes.length, 200)
      assert.isTrue(outcomes.every((outcome) => outcome.ok))
    } finally {
      clearInterval(trickle)
      for (const socket of slow) socket.destroy()
      await client.close()
    }
    await assertStillServes(fake.url)
  })

  it("200 requests aborted mid-body: nothing answered, nothing recorded, nothing thrown", async () => {
    for (let i = 0; i < 200; i++) {
      const socket = await openSocket()
      socket.on("error", () => {})
      socket.write(
        `POST ${bulkPath} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"requests":[{"api_suffix":"77/`
      )
      if (i % 2 === 0) socket.destroy()
      else socket.resetAndDestroy()
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.strictEqual(fake.calls().length, 0)
    await assertStillServes(fake.url)
  })

  it("an endless chunked body is cut off at maxRequestBytes with 413; an oversized header gets Node's 431", async () => {
    const endless = answered(
      await exchange(fake.url, {
        stream: { chunk: Buffer.alloc(16 * 1024, 0x20), totalBytes: Number.POSITIVE_INFINITY }
      })
    )
    assert.strictEqual(endless.status, 413)
    const header = answered(await exchange(fake.url, { headers: { "x-big": "h".repeat(64 * 1024) }, body: "{}" }))
    assert.strictEqual(header.status, 431)
    assert.deepStrictEqual(
      fake.calls().map((call) => call.status),
      [413]
    )
    await assertStillServes(fake.url)
  })
})

describe("keys in odd encodings and odd places", () => {
  let fake: FakeRingPoolServer.FakeRingPoolServer
  const warnings: Array<string> = []
  const originalWarn = console.warn
  beforeAll(async () => {
    console.warn = (...args: Array<unknown>) => {
      warnings.push(args.map(String).join(" "))
    }
    fake = await startFakeRingPoolServer({ pools: [{ id: "77", key: KEY, size: 100_000 }] })
  })
  afterAll(async () => {
    console.warn = originalWarn
    await fake.close()
  })

  const half = (text: string) => text.slice(0, text.length >> 1)
  const rows: Array<[unknown, string]> = [
    [{ api_suffix: suffixOf(`ring%5Fpool%5Fkey=${rfc3986(KEY)}&m1=a`), request_id: "encoded-name" }, "allocated"],
    [
      { api_suffix: suffixOf(`ring%5fpool%5fkey=${lowerHex(rfc3986(KEY))}&m1=a`), request_id: "lower-hex" },
      "allocated"
    ],
    [
      { api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY).replaceAll("%20", "+")}&m1=a`), request_id: "plus" },
      "allocated"
    ],
    [{ api_suffix: suffixOf(`ring_pool_key=${everyByte(KEY)}&m1=a`), request_id: "every-byte" }, "allocated"],
    [{ api_suffix: suffixOf(`RING_POOL_KEY=${rfc3986(KEY)}&m1=a`), request_id: "upper-name" }, "InvalidKey"],
    [{ api_suffix: suffixOf(`ring_pool_key=${rfc3986(OTHER)}&m1=a`), request_id: "wrong-key" }, "InvalidKey"],
    [
      { api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=${everyByte(KEY)}`), request_id: "in-a-value" },
      "allocated"
    ],
    [
      {
        api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=x${rfc3986(KEY.slice(3, 10))}y`),
        request_id: "a-piece"
      },
      "allocated"
    ],
    [{ api_suffix: suffixOf(`${rfc3986(KEY)}=1&ring_pool_key=${rfc3986(KEY)}`), request_id: "as-a-name" }, "allocated"],
    [{ api_suffix: suffixOf("ring_pool_key=77&m1=a", rfc3986(KEY)), request_id: "swapped" }, "RingPoolNotFound"],
    [
      {
        api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&ring_pool_key=${rfc3986(OTHER)}&m1=a`),
        request_id: "twice"
      },
      "InvalidKey"
    ],
    [{ api_suffix: suffixOf(`ring_pool_key=${KEY}&m1=a`), request_id: "unencoded" }, "InvalidKey"],
    [{ api_suffix: suffixOf(`ring_pool_key=${half(rfc3986(KEY))}&m1=a`), request_id: "half" }, "InvalidKey"],
    [{ api_suffix: suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=a`), request_id: KEY }, "allocated"],
    [
      { api_suffix: `/ring_pools/${suffixOf(`ring_pool_key=${rfc3986(KEY)}&m1=a#${KEY}`)}`, request_id: "fragment" },
      "allocated"
    ]
  ]

  it("masks every form of the key in calls(), allocations(), answers and stderr", async () => {
    const entries = rows.map(([entry]) => entry)
    const bulk = answered(await exchange(fake.url, { body: JSON.stringify({ requests: entries }) }))
    const answerRows = assertOneAnswerPerRow(bulk, entries)
    assert.deepStrictEqual(
      answerRows.map((row) => row.error_class ?? "allocated"),
      rows.map(([, outcome]) => outcome)
    )
    assertNoKey(withoutEchoes(bulk.text), "the bulk answer")

    const elsewhere = [
      { method: "POST", path: `/api/2013-07-01/${rfc3986(KEY)}/bulk.json` },
      { method: "POST", path: `/api/2013-07-01/${everyByte(KEY)}/bulk.json` },
      { method: "GET", path: `/api/2015-12-09/ring_pools/77/allocate_number.json?ring_pool_key=${rfc3986(KEY)}&m1=a` },
      { method: "GET", path: `/nowhere?ring%5Fpool%5Fkey=${rfc3986(KEY)}` },
      { method: "GET", path: `/nowhere?x=${everyByte(KEY)}` },
      { method: "GET", path: `/nowhere;ring_pool_key=${rfc3986(KEY)}` },
      { method: "PUT", path: `${bulkPath}?ring_pool_key=${rfc3986(KEY)}` }
    ]
    for (const request of elsewhere) {
      const answer = answered(await exchange(fake.url, { ...request, body: "" }))
      assert.include([403, 404], answer.status)
      assertNoKey(answer.text, `the answer to ${request.method}`)
    }

    const calls = fake.calls()
    assert.strictEqual(calls.length, 1 + elsewhere.length)
    assertNoKey(JSON.stringify(calls), "calls()")
    assertNoKey(JSON.stringify(fake.allocations()), "allocations()")
    assert.strictEqual(warnings.length, 6, "one warning per unexpected request")
    assertNoKey(warnings.join("\n"), "stderr")
    // The rows stay readable: what holds no key is shown as sent.
    const recorded = calls[0]!.rows
    assert.strictEqual(recorded[0]!.apiSuffix, "77/allocate_number.json?ring%5Fpool%5Fkey=<redacted>&m1=a")
    assert.deepStrictEqual(recorded[6]!.params, { m1: "<redacted>" })
    assert.strictEqual(recorded[13]!.requestId, "<redacted>")
    assert.strictEqual(recorded[5]!.error?.message, "API Key '<redacted>' is not valid for resource '77'")
    await assertStillServes(fake.url)
  })

  it("reports the first 10 unexpected requests on stderr, then says it stops", async () => {
    fake.reset()
    warnings.length = 0
    for (let i = 0; i < 30; i++) answered(await exchange(fake.url, { method: "GET", path: `/wrong/${i}`, body: "" }))
    assert.strictEqual(warnings.length, 10)
    assert.include(warnings[9]!, "not reported until reset()")
    assert.strictEqual(fake.calls().length, 30)
  })
})

describe("through the core client", () => {
  const pools = [{ id: "77", key: KEY, size: 1_000 }]
  const row = (i: number, m1 = `visit${i}`) => ({
    ringPoolId: "77",
    ringPoolKey: KEY,
    params: { m1 },
    requestId: `r${i}`
  })
  const rowsWithOneTooLarge = Array.from({ length: 6 }, (_, i) => (i === 3 ? row(i, "h".repeat(5 * MiB)) : row(i)))

  const assertOnlyTheLargeRowFailed = (outcomes: ReadonlyArray<Outcome.Outcome>) => {
    assert.strictEqual(outcomes.length, rowsWithOneTooLarge.length, "one outcome per row")
    outcomes.forEach((outcome, i) => {
      assert.strictEqual(outcome.ok, i !== 3, `row ${i}`)
      if (!outcome.ok) {
        assert.strictEqual(outcome.error.requestId, "r3")
        assertNoKey(`${outcome.error.message} ${JSON.stringify(outcome.error)}`, "the error")
      }
    })
  }

  it("over a port: a 5 MB row fails alone (413), its neighbours are allocated", async () => {
    const fake = await startFakeRingPoolServer({ pools })
    const client = createRingPoolClient({ baseUrl: fake.url, maxBatchSize: 1 })
    try {
      assertOnlyTheLargeRowFailed(await client.allocateAll(rowsWithOneTooLarge))
      assert.include(
        fake.calls().map((call) => call.status),
        413
      )
      assertNoKey(JSON.stringify(fake.calls()), "calls()")
      await assertStillServes(fake.url)
    } finally {
      await client.close()
      await fake.close()
    }
  })

  it.effect("in-process (the Effect HttpClient): the same 413 for the same row", () =>
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const fake = yield* FakeRingPool.FakeRingPool
      assertOnlyTheLargeRowFailed(yield* client.allocateAll(rowsWithOneTooLarge))
      const statuses = (yield* fake.calls).map((call) => call.status)
      assert.include(statuses, 413)
      assertNoKey(JSON.stringify(yield* fake.calls), "calls()")
      assert.strictEqual((yield* client.allocate(row(9))).requestId, "r9")
    }).pipe(Effect.provide(FakeRingPool.layerClient({ pools }, { maxBatchSize: 1 })))
  )
})
