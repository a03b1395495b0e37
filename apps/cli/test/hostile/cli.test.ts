/**
 * The `ringpool` command under attack, over loopback: hostile servers (a 200 MB answer, an endless one, answers cut
 * short, connections reset, a server that stalls, servers that quote the key back in every form), malformed rows,
 * garbage input and keys in odd encodings.
 *
 * Every case asserts what a user must be able to rely on: exactly one outcome per input row, in input order; no
 * ring pool key, in any form (as written, percent-encoded either case, `+` for spaces) or any 6 characters of one,
 * on stdout or stderr; the child's memory bounded (its peak RSS); and the documented exit code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { ndjson, type Run, ringpool } from "../support/cli.ts"
import { seeded } from "../support/files.ts"

/** Keys with characters that every encoding treats differently: spaces, `+`, `/`, `&`, `=`, `%`, non-ASCII. */
const plainKey = "HOSTILE-key-7f3a9c2e1b"
const oddKey = "Odd k+y/&=%é-42 Zq"
const keys = [plainKey, oddKey]

/** Every form a key can take in a URL, a form body or a message. */
const formsOf = (key: string) => {
  const encoded = encodeURIComponent(key)
  const rfc3986 = encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const forms = new Set([key, key.replace(/ /g, "+")])
  for (const form of [encoded, rfc3986]) {
    const lower = form.replace(/%[0-9A-F]{2}/g, (triplet) => triplet.toLowerCase())
    for (const variant of [form, lower]) forms.add(variant).add(variant.replace(/%20/g, "+"))
  }
  return [...forms]
}

/** No key, in any form, nor any 6 characters of one, in the run's stdout or stderr. */
const assertNoKey = (run: Run, label: string) => {
  const text = run.stdout + run.stderr
  for (const key of keys) {
    for (const form of formsOf(key)) {
      for (let i = 0; i + 6 <= form.length; i++) {
        const piece = form.slice(i, i + 6)
        if (text.includes(piece)) assert.fail(`${label}: a piece of a key (${JSON.stringify(piece)}) in the output`)
      }
    }
  }
}

/** Exactly one result per row, in input order: their `line`s are `lines`. */
const assertOneOutcomePerRow = (run: Run, lines: ReadonlyArray<number>, label: string) => {
  const results = ndjson(run.stdout)
  assert.deepStrictEqual(
    results.map((result) => result.line),
    [...lines],
    `${label}: one result per row, in order`
  )
  for (const result of results) assert.include(["allocated", "rejected", "failed"], result.outcome, label)
  return results
}

const assertBoundedMemory = (run: Run, label: string, mib = 200) => {
  assert.isBelow(run.peakMiB, mib, `${label}: peak RSS ${Math.round(run.peakMiB)} MiB`)
}

/** Rows for pool 100 with request ids, one a line, keyed by the environment's key. */
const rows = (count: number) =>
  Array.from({ length: count }, (_, i) => `{"ring_pool_id":"100","request_id":"H${i}","m1":"x${i}"}`).join("\n")

const linesUpTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1)

// A hostile server: each case says how to answer a bulk call (the body read, bounded: these bodies are small).
type Answer = (request: IncomingMessage, response: ServerResponse, body: string) => void

const started: Array<Server> = []
const hostile = async (answer: Answer): Promise<string> => {
  const server = createServer((request, response) => {
    let body = ""
    request.setEncoding("utf8")
    request.on("data", (chunk: string) => {
      if (body.length < 1024 * 1024) body += chunk
    })
    request.on("end", () => answer(request, response, body))
  })
  started.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
afterAll(async () => {
  for (const server of started) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** The request ids of a bulk body, in order. */
const requestIdsOf = (body: string) =>
  (JSON.parse(body) as { requests: Array<{ request_id: string }> }).requests.map((row) => row.request_id)

/** Every form of every key, and pieces of them, the way a careless server would quote them back. */
const everyForm = () => keys.flatMap((key) => [...formsOf(key), key.slice(2, 11), `...${key.slice(-9)}`]).join(" | ")

const env = (baseUrl: string, extra: Record<string, string> = {}) => ({
  RINGPOOL_BASE_URL: baseUrl,
  RINGPOOL_KEY: oddKey,
  ...extra
})

describe("hostile servers", () => {
  it("a 200 MB answer: every row gets its failure row, exit 2, memory bounded", { timeout: 120_000 }, async () => {
    const megabyte = Buffer.alloc(1024 * 1024, " ")
    const url = await hostile((_, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(200 * 1024 * 1024) })
      response.write('{"responses":[')
      let sent = 0
      const more = () => {
        while (sent < 200) {
          sent++
          if (!response.write(megabyte)) return void response.once("drain", more)
        }
        response.end()
      }
      response.on("error", () => undefined)
      more()
    })
    const run = await ringpool(["bulk", "-"], { env: env(url), input: rows(10), peak: true })
    assert.strictEqual(run.code, 2, run.stderr)
    const results = assertOneOutcomePerRow(run, linesUpTo(10), "200 MB")
    for (const result of results) assert.strictEqual(result.reason, "InvalidResponse")
    assertNoKey(run, "200 MB")
    assertBoundedMemory(run, "200 MB")
  })

  it("an endless answer: every row fails, exit 2, memory bounded", { timeout: 120_000 }, async () => {
    const chunk = Buffer.alloc(64 * 1024, "a")
    const url = await hostile((_, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      let open = true
      response.on("close", () => {
        open = false
      })
      response.on("error", () => undefined)
      const more = () => {
        while (open) if (!response.write(chunk)) return void response.once("drain", more)
      }
      more()
    })
    const run = await ringpool(["bulk", "-"], { env: env(url), input: rows(25), peak: true })
    assert.strictEqual(run.code, 2, run.stderr)
    const results = assertOneOutcomePerRow(run, linesUpTo(25), "endless")
    for (const result of results) assert.strictEqual(result.outcome, "failed")
    assertNoKey(run, "endless")
    assertBoundedMemory(run, "endless")
  })

  it("answers cut short, connections reset, a server that stalls: one failure row each, exit 2", async () => {
    const cut = await hostile((_, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "5000" })
      response.write(`{"responses":[{"request_id":"H0","promo_number":"8005550100","note":"${everyForm()}"`)
      setTimeout(() => response.socket?.destroy(), 20)
    })
    const reset = await hostile((request) => request.socket.destroy())
    const stall = await hostile((_, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      response.write('{"responses":[')
    })
    const runs = await Promise.all([
      ringpool(["bulk", "-"], { env: env(cut), input: rows(30), peak: true }),
      ringpool(["bulk", "-"], { env: env(reset), input: rows(30), peak: true }),
      ringpool(["bulk", "-"], { env: env(stall, { RINGPOOL_TIMEOUT_MS: "300" }), input: rows(30), peak: true })
    ])
    const expected = ["cut", "reset", "stall"]
    runs.forEach((run, i) => {
      const label = expected[i]!
      assert.strictEqual(run.code, 2, `${label}: ${run.stderr}`)
      const results = assertOneOutcomePerRow(run, linesUpTo(30), label)
      for (const result of results) assert.strictEqual(result.outcome, "failed", label)
      assertNoKey(run, label)
      assertBoundedMemory(run, label)
    })
    assert.strictEqual(ndjson(runs[2]!.stdout)[0]!.reason, "Timeout")
  })

  it("servers that quote the key back in every form: in row errors, a 500 page, a body that is not JSON", async () => {
    const rowErrors = await hostile((_, response, body) => {
      const responses = requestIdsOf(body).map((request_id) => ({
        request_id,
        error_class: "InvalidKey",
        message: `API Key '${oddKey}' is not valid; also ${everyForm()}`
      }))
      response.writeHead(200, { "content-type": "application/json" })
      response.end(JSON.stringify({ responses }))
    })
    const page = await hostile((_, response) => {
      response.writeHead(500, { "content-type": "text/html" })
      response.end(`<html><body>Internal error for key ${everyForm()}</body></html>`)
    })
    const notJson = await hostile((_, response) => {
      response.writeHead(200, { "content-type": "application/json" })
      response.end(`oops ${everyForm()}`.repeat(20))
    })
    const errorBody = await hostile((_, response) => {
      response.writeHead(503, { "content-type": "application/json" })
      response.end(JSON.stringify({ errors: { class: "InternalServiceError", invalid_data: `bad ${everyForm()}` } }))
    })
    const input = [
      rows(3),
      `{"ring_pool_id":"100","ring_pool_key":${JSON.stringify(plainKey)},"request_id":"K1","m1":"a"}`,
      `{"api_suffix":"100/allocate_number.json?ring%5Fpool%5Fkey=${encodeURIComponent(plainKey)}&m1=b","request_id":"K2"}`
    ].join("\n")
    for (const [label, url, reason] of [
      ["row errors", rowErrors, "Rejected"],
      ["500 page", page, "HttpStatus"],
      ["not JSON", notJson, "InvalidResponse"],
      ["error body", errorBody, "ServiceError"]
    ] as const) {
      for (const format of ["ndjson", "csv", "json"]) {
        const run = await ringpool(["bulk", "-", "--output-format", format], { env: env(url), input, peak: true })
        assert.strictEqual(run.code, 2, `${label}: ${run.stderr}`)
        if (format === "ndjson") {
          const results = assertOneOutcomePerRow(run, linesUpTo(5), label)
          for (const result of results) assert.strictEqual(result.reason, reason, label)
        }
        assertNoKey(run, `${label} (${format})`)
        assertBoundedMemory(run, label)
      }
    }
  })

  it("a service whose error classes and messages hold terminal controls: stderr shows none of them", async () => {
    const controls = "\u001b[2J\u001b]0;pwned\u0007\r\u009b31m\u202eevil"
    const url = await hostile((_, response, body) => {
      const responses = requestIdsOf(body).map((request_id) => ({
        request_id,
        error_class: `Bad${controls}`,
        message: `no${controls}`
      }))
      response.writeHead(200, { "content-type": "application/json" })
      response.end(JSON.stringify({ responses }))
    })
    const bulk = await ringpool(["bulk", "-"], { env: env(url), input: rows(2) })
    assert.strictEqual(bulk.code, 2, bulk.stderr)
    const allocate = await ringpool(["allocate", "--pool", "100", "m1=a"], { env: env(url) })
    assert.strictEqual(allocate.code, 2, allocate.stderr)
    for (const [label, run] of [
      ["bulk", bulk],
      ["allocate", allocate]
    ] as const) {
      assert.include(run.stderr, "Bad", label)
      // Newlines end the lines we write; nothing else below a space, nor C1 controls or bidi overrides.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this looks for
      assert.notMatch(run.stderr, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/, label)
    }
    // The results themselves are data: JSON escapes what it must, and the text is the service's.
    assert.include(ndjson(bulk.stdout)[0]!.error_class as string, "\u001b[2J")
  })

  it("an answer whose rows do not line up with the rows sent: each row fails, no number is handed out", async () => {
    const shuffled = await hostile((_, response, body) => {
      const responses = requestIdsOf(body)
        .reverse()
        .map((request_id) => ({ request_id, promo_number: "8005550100", promo_number_formatted: "800-555-0100" }))
      response.writeHead(200, { "content-type": "application/json" })
      response.end(JSON.stringify({ responses }))
    })
    const run = await ringpool(["bulk", "-"], { env: env(shuffled), input: rows(12), peak: true })
    assert.strictEqual(run.code, 2)
    for (const result of assertOneOutcomePerRow(run, linesUpTo(12), "shuffled")) {
      assert.strictEqual(result.reason, "ResponseMismatch")
      assert.isUndefined(result.promo_number)
    }
    assertNoKey(run, "shuffled")
  })
})

describe("hostile input", () => {
  let fakeUrl = ""
  let closeFake: () => Promise<void> = async () => undefined
  beforeAll(async () => {
    const fake = await startFakeRingPoolServer({
      pools: [{ id: "100", key: oddKey, size: 50 }],
      logLimit: { allocations: 100, calls: 10 }
    })
    fakeUrl = fake.url
    closeFake = fake.close
  })
  afterAll(() => closeFake())

  it("binary garbage as NDJSON: one failure row per non-blank line, exit 2", async () => {
    const next = seeded(7)
    const bytes = Buffer.alloc(256 * 1024)
    for (let i = 0; i < bytes.length; i++) bytes[i] = next() < 0.02 ? 10 : Math.floor(next() * 256)
    const text = bytes.toString("latin1")
    // The lines a reader sees: split at line ends, `\n`, `\r\n` or `\r` alone (UTF-8 decoding changes none of them),
    // blank ones skipped.
    const expected = bytes
      .toString("utf8")
      .split(/\r\n|\r|\n/)
      .flatMap((line, i) => (line.trim() === "" ? [] : [i + 1]))
    const run = await ringpool(["bulk", "-"], { env: env(fakeUrl), input: text, peak: true })
    assert.strictEqual(run.code, 2, run.stderr)
    for (const result of assertOneOutcomePerRow(run, expected, "binary")) {
      assert.strictEqual(result.reason, "InvalidInput")
    }
    assertNoKey(run, "binary")
    assertBoundedMemory(run, "binary")
  })

  it("garbage CSV (quotes, commas, spaces at random): one outcome per line, in order, exit 2", async () => {
    const next = seeded(11)
    const alphabet = ["a", "1", ",", '"', " ", "é", "\t", "="]
    const lines = ["ring_pool_id,request_id,m1"]
    for (let i = 0; i < 3000; i++) {
      let line = ""
      const length = 1 + Math.floor(next() * 12)
      for (let c = 0; c < length; c++) line += alphabet[Math.floor(next() * alphabet.length)]
      // An even number of quotes on each line: no record spans lines, so each line is one row (or one error).
      if ((line.match(/"/g)?.length ?? 0) % 2 === 1) line += '"'
      lines.push(line.trim() === "" ? "x" : line)
    }
    const run = await ringpool(["bulk", "-", "--input-format", "csv"], {
      env: env(fakeUrl),
      input: `${lines.join("\n")}\n`,
      peak: true
    })
    assert.strictEqual(run.code, 2, run.stderr)
    assertOneOutcomePerRow(
      run,
      Array.from({ length: 3000 }, (_, i) => i + 2),
      "CSV garbage"
    )
    assertNoKey(run, "CSV garbage")
    assertBoundedMemory(run, "CSV garbage")
  })

  it("malformed rows among good ones: each its own failure row in place, the good ones allocated", async () => {
    const input = [
      '{"ring_pool_id":"100","m1":"ok1"}',
      '{"ring_pool_id":"100","m1":{"nested":true}}',
      '{"ring_pool_id":"100","m1":["a"]}',
      '{"ring_pool_id":"100","m1":null}',
      '{"ring_pool_id":"100","__proto__":{"polluted":"yes"},"m1":"a"}',
      '{"ring_pool_id":{"id":1},"m1":"a"}',
      '{"ring_pool_id":"1/../2","m1":"a"}',
      "[1,2,3]",
      '"just a string"',
      `{"ring_pool_id":"100","m1":"${"x".repeat(1_100_000)}"}`,
      `${"[".repeat(50_000)}`,
      '{"ring_pool_id":"100","m1":"ok2"}'
    ].join("\n")
    const run = await ringpool(["bulk", "-"], { env: env(fakeUrl), input, peak: true })
    assert.strictEqual(run.code, 2, run.stderr)
    const results = assertOneOutcomePerRow(run, linesUpTo(12), "malformed")
    assert.deepStrictEqual(
      results.map((result) => result.outcome),
      ["allocated", ...Array(10).fill("failed"), "allocated"]
    )
    assert.deepStrictEqual(
      results.map((result) => result.reason),
      [undefined, ...Array(5).fill("InvalidInput"), "InvalidRequest", ...Array(4).fill("InvalidInput"), undefined]
    )
    assertNoKey(run, "malformed")
    assertBoundedMemory(run, "malformed")
  })

  it("keys in odd encodings, in every place a key can come from, and the fake's InvalidKey message", async () => {
    const input = [
      // The environment's key (the default), and the right key in the row itself.
      '{"ring_pool_id":"100","request_id":"E1","m1":"a"}',
      `{"ring_pool_id":"100","ring_pool_key":${JSON.stringify(oddKey)},"request_id":"E2","m1":"b"}`,
      // A wrong key: the fake's documented message quotes it, and the core must mask it.
      `{"ring_pool_id":"100","ring_pool_key":${JSON.stringify(plainKey)},"request_id":"E3","m1":"c"}`,
      // The key's name in other encodings and cases, and values with + for spaces.
      `{"api_suffix":"100/allocate_number.json?ring%5Fpool%5Fkey=${encodeURIComponent(plainKey)}&m1=d","request_id":"E4"}`,
      `{"api_suffix":"100/allocate_number.json?RING_POOL_KEY=${encodeURIComponent(plainKey)}&m1=e","request_id":"E5"}`,
      `{"api_suffix":"100/allocate_number.json?ring_pool_key=${oddKey.replace(/ /g, "+").replace(/[&=%/+]/g, encodeURIComponent)}&m1=f","request_id":"E6"}`,
      // The key pasted where a parameter goes: an invalid row that must not quote it.
      `{"ring_pool_id":"100","ring_pool_key":${JSON.stringify(plainKey)},"ring_pool_key ":${JSON.stringify(plainKey)},"request_id":"E7"}`
    ].join("\n")
    for (const how of [["--key", plainKey], []]) {
      for (const command of [
        ["bulk", "-"],
        ["bulk", "-", "--dry-run"],
        ["bulk", "-", "--output-format", "csv"]
      ]) {
        const run = await ringpool([...command, ...how], { env: env(fakeUrl), input, peak: true })
        assert.strictEqual(run.code, 2, run.stderr)
        if (command.length === 2) assertOneOutcomePerRow(run, linesUpTo(7), command.join(" "))
        assertNoKey(run, [...command, ...how.map((arg) => (arg === plainKey ? "KEY" : arg))].join(" "))
      }
    }
  })

  it("a key on the command line is masked even in a usage error or an unreadable file's message", async () => {
    const runs = await Promise.all([
      ringpool(["bulk", `/nonexistent/${plainKey}.ndjson`, "--key", plainKey], { env: env(fakeUrl) }),
      ringpool(["bulk", "--key", plainKey, "--input-format", oddKey], { env: env(fakeUrl) }),
      ringpool(["allocate", "--pool", "100", "--key", plainKey, `m1=${oddKey}`], { env: env(fakeUrl) })
    ])
    for (const run of runs) assertNoKey(run, run.stderr)
    assert.strictEqual(runs[0]!.code, 1)
    assert.strictEqual(runs[1]!.code, 1)
  })
})
