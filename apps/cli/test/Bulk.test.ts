/**
 * `ringpool bulk`, run as a user runs it, against the testkit's fake on a loopback port.
 */

import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { parse } from "csv-parse/sync"
import { bin, cleanEnv, ndjson, ringpool } from "./support/cli.ts"

let fake: FakeRingPoolServer.FakeRingPoolServer
let env: Record<string, string>
const dir = mkdtempSync(join(tmpdir(), "ringpool-bulk-"))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

beforeAll(async () => {
  fake = await startFakeRingPoolServer({
    pools: [
      { id: "100", key: "pool-key", size: 1000 },
      { id: "tiny", key: "pool-key", size: 1 }
    ]
  })
  env = { RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: "pool-key" }
})
afterAll(() => fake.close())
beforeEach(() => fake.reset())

/** Each result's number is the one the fake handed to that row's request_id: never another row's. */
const assertNumbersBelongToTheirRows = (results: Array<Record<string, unknown>>) => {
  const byRequestId = new Map(fake.allocations().map((allocation) => [allocation.requestId, allocation.promoNumber]))
  for (const result of results) {
    if (result.outcome === "allocated")
      assert.strictEqual(result.promo_number, byRequestId.get(result.request_id as string))
  }
}

describe("ringpool bulk", () => {
  it("NDJSON file in, NDJSON out: one result per row, in order, with line numbers and the API's fields; exit 0", async () => {
    const rows = file(
      "rows.ndjson",
      [
        '{"ring_pool_id":"100","request_id":"A1","m1":"autos","m2":"ford"}',
        "",
        '{"ring_pool_id":100,"request_id":"A2","m1":""}',
        '{"ring_pool_id":"tiny","request_id":"T1","m1":"x"}',
        '{"ring_pool_id":"tiny","request_id":"T2","m1":"y"}'
      ].join("\n")
    )
    const run = await ringpool(["bulk", rows], { env })
    assert.strictEqual(run.code, 0, run.stderr)
    const results = ndjson(run.stdout)
    assert.deepStrictEqual(
      results.map((result) => [result.line, result.request_id, result.outcome, result.overflow]),
      [
        [1, "A1", "allocated", false],
        [3, "A2", "allocated", false],
        [4, "T1", "allocated", false],
        [5, "T2", "allocated", true]
      ]
    )
    assert.match(results[0]!.promo_number as string, /^\d{10}$/)
    assert.match(results[0]!.promo_number_formatted as string, /^\d{3}-\d{3}-\d{4}$/)
    assert.include(results[0]!.tracking_url as string, "sid=")
    assertNumbersBelongToTheirRows(results)
    // The rows went out with their parameters in order.
    assert.deepStrictEqual(Object.entries(fake.allocations()[0]!.params), [
      ["m1", "autos"],
      ["m2", "ford"]
    ])
    assert.match(run.stderr, /^ringpool bulk: 4 rows in [\d.]+ s/)
    assert.include(run.stderr, "\n  allocated  4 (1 overflow)\n  rejected   0\n  failed     0\n")
  })

  it("keeps input order and line numbers with small batches and several calls in flight", async () => {
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ ring_pool_id: "100", request_id: `R${i}`, n: String(i) })
    )
    const run = await ringpool(["bulk", "-", "--max-batch-size", "7", "--concurrency", "4"], {
      env,
      input: `${lines.join("\n")}\n`
    })
    assert.strictEqual(run.code, 0, run.stderr)
    const results = ndjson(run.stdout)
    assert.deepStrictEqual(
      results.map((result) => [result.line, result.request_id]),
      lines.map((_, i) => [i + 1, `R${i}`])
    )
    assertNumbersBelongToTheirRows(results)
    const sizes = fake.calls().map((call) => call.rows.length)
    assert.isAtMost(Math.max(...sizes), 7)
    assert.strictEqual(
      sizes.reduce((a, b) => a + b, 0),
      300
    )
  })

  it("makes error rows of malformed lines, runs the rest, counts them in the summary, and exits 2", async () => {
    const input = [
      '{"ring_pool_id":"100","m1":"a"}',
      '{"ring_pool_id":"100", "m1": oops}',
      '{"m1":"no pool"}',
      '{"ring_pool_id":"100","request_id":"P"}',
      '{"ring_pool_id":"100","ring_pool_key":"wrong-key","m1":"b"}',
      '{"ring_pool_id":"100","m1":"c"}'
    ].join("\n")
    const run = await ringpool(["bulk"], { env, input })
    assert.strictEqual(run.code, 2)
    assert.deepStrictEqual(
      ndjson(run.stdout).map((result) => [result.line, result.outcome, result.reason, result.error_class ?? null]),
      [
        [1, "allocated", undefined, null],
        [2, "failed", "InvalidInput", null],
        [3, "failed", "InvalidInput", null],
        [4, "failed", "InvalidInput", null],
        [5, "rejected", "Rejected", "InvalidKey"],
        [6, "allocated", undefined, null]
      ]
    )
    assert.include(run.stderr, "ringpool bulk: 6 rows")
    assert.include(run.stderr, "  allocated  2\n")
    assert.include(run.stderr, "  rejected   1 (InvalidKey 1)")
    assert.include(run.stderr, "  failed     3 (InvalidInput 3)")
    // Batches are cut from each piece of input read: stdin may deliver these lines in one piece or several.
    assert.match(run.stderr, /server +[\d.]+ ms processing time in [1-3] bulk calls?$/m)
    assert.strictEqual(fake.allocations().length, 2)
  })

  it("a lone surrogate in a row's pool id or key fails that row alone; the run goes on and ends with its summary", async () => {
    const input = [
      '{"ring_pool_id":"100","m1":"a"}',
      '{"ring_pool_id":"10\\ud800","m1":"b"}',
      '{"ring_pool_id":"100","ring_pool_key":"pool-key\\udc00","m1":"c"}',
      '{"ring_pool_id":"100","m1":"d"}'
    ].join("\n")
    const run = await ringpool(["bulk", "--output-format", "json"], { env, input })
    assert.strictEqual(run.code, 2, run.stderr)
    const results = JSON.parse(run.stdout) as Array<Record<string, unknown>>
    assert.deepStrictEqual(
      results.map((result) => [result.line, result.outcome, result.reason]),
      [
        [1, "allocated", undefined],
        [2, "failed", "InvalidRequest"],
        [3, "failed", "InvalidRequest"],
        [4, "allocated", undefined]
      ]
    )
    assert.include(run.stderr, "ringpool bulk: 4 rows")
    assert.strictEqual(fake.allocations().length, 2)
  })

  it("a row with bytes that are not UTF-8 (a file saved as Latin-1) fails alone, whatever the format; its neighbours run", async () => {
    const latin1 = (text: string) => Buffer.from(text, "latin1")
    const ndjsonFile = join(dir, "latin1.ndjson")
    writeFileSync(
      ndjsonFile,
      Buffer.concat([
        latin1('{"ring_pool_id":"100","m1":"a"}\n{"ring_pool_id":"100","city":"M\xfcnchen"}\n'),
        latin1('{"ring_pool_id":"100","m1":"b"}\n')
      ])
    )
    const csvFile = join(dir, "latin1.csv")
    writeFileSync(csvFile, latin1("ring_pool_id,city\n100,Paris\n100,K\xf6ln\n100,Rome\n"))
    for (const [path, lines] of [
      [ndjsonFile, [1, 2, 3]],
      [csvFile, [2, 3, 4]]
    ] as const) {
      fake.reset()
      const run = await ringpool(["bulk", path], { env })
      assert.strictEqual(run.code, 2, run.stderr)
      const results = ndjson(run.stdout)
      assert.deepStrictEqual(
        results.map((result) => [result.line, result.outcome]),
        [
          [lines[0], "allocated"],
          [lines[1], "failed"],
          [lines[2], "allocated"]
        ]
      )
      assert.include(String(results[1]!.message), "not UTF-8")
      assert.strictEqual(fake.allocations().length, 2)
      assert.isFalse(fake.allocations().some((allocation) => JSON.stringify(allocation.params).includes("\ufffd")))
    }
  })

  it("CSV from stdin in, CSV out; a line with bad quoting is an error row and the next line still runs", async () => {
    const input =
      'ring_pool_id,request_id,m1,m2\n100,C1,autos,"ford, f150"\n100,C2,"bad"quote,x\n100,C3,"two\nlines",y\n,C4,no pool,z\n'
    const run = await ringpool(["bulk", "-", "--input-format", "csv", "--output-format", "csv"], { env, input })
    assert.strictEqual(run.code, 2)
    const records = parse(run.stdout, { columns: true }) as Array<Record<string, string>>
    assert.deepStrictEqual(
      records.map((record) => [record.line, record.request_id, record.outcome, record.reason]),
      [
        ["2", "C1", "allocated", ""],
        ["3", "", "failed", "InvalidInput"],
        ["4", "C3", "allocated", ""],
        ["6", "C4", "failed", "InvalidInput"]
      ]
    )
    assert.include(records[1]!.message!, "bad CSV quoting")
    assert.deepStrictEqual(
      fake.allocations().map((allocation) => allocation.params),
      [
        { m1: "autos", m2: "ford, f150" },
        { m1: "two\nlines", m2: "y" }
      ]
    )
  })

  it("CSV file by its extension, JSON out", async () => {
    const rows = file("rows.csv", "ring_pool_id,m1\n100,a\n100,b\n")
    const run = await ringpool(["bulk", rows, "--output-format", "json"], { env })
    assert.strictEqual(run.code, 0, run.stderr)
    const results = JSON.parse(run.stdout) as Array<Record<string, unknown>>
    assert.deepStrictEqual(
      results.map((result) => [result.line, result.outcome]),
      [
        [2, "allocated"],
        [3, "allocated"]
      ]
    )
  })

  it("JSON: the API's own request body from a file (keys in its suffixes), and an array of rows from stdin", async () => {
    const body = file(
      "body.json",
      JSON.stringify(
        {
          requests: [
            { api_suffix: "100/allocate_number.json?ring_pool_key=pool-key&m1=autos&m2=ford", request_id: "193C5F" },
            { api_suffix: "100/allocate_number.json?ring_pool_key=pool-key&m1=antiques", request_id: "58CD4F" },
            { api_suffix: "100/other.json?m1=x", request_id: "BAD" }
          ]
        },
        null,
        1
      )
    )
    // No RINGPOOL_KEY: the keys come from the suffixes.
    const fromFile = await ringpool(["bulk", body, "--output-format", "json"], { env: { RINGPOOL_BASE_URL: fake.url } })
    assert.strictEqual(fromFile.code, 2)
    assert.deepStrictEqual(
      (JSON.parse(fromFile.stdout) as Array<Record<string, unknown>>).map((r) => [r.line, r.request_id, r.outcome]),
      [
        [3, "193C5F", "allocated"],
        [7, "58CD4F", "allocated"],
        [11, "BAD", "failed"]
      ]
    )
    assert.deepStrictEqual(fake.allocations()[0]!.params, { m1: "autos", m2: "ford" })

    const array = '[\n {"ring_pool_id":"100","m1":"a"},\n {"ring_pool_id":"100","m1":"b"}\n]\n'
    const fromStdin = await ringpool(["bulk", "-", "--input-format", "json"], { env, input: array })
    assert.strictEqual(fromStdin.code, 0, fromStdin.stderr)
    assert.deepStrictEqual(
      ndjson(fromStdin.stdout).map((result) => result.line),
      [2, 3]
    )
  })

  it("reports a failed bulk call on each of its rows, by reason and error class", async () => {
    fake.inject({ fault: "status", status: 500, times: "always" })
    const run = await ringpool(["bulk"], {
      env,
      input: '{"ring_pool_id":"100","m1":"a"}\n{"ring_pool_id":"100","m1":"b"}\n'
    })
    assert.strictEqual(run.code, 2)
    const results = ndjson(run.stdout)
    assert.deepStrictEqual(
      results.map((result) => [result.outcome, result.reason, result.error_class]),
      [
        ["failed", "ServiceError", "InternalServiceError"],
        ["failed", "ServiceError", "InternalServiceError"]
      ]
    )
    assert.include(results[0]!.message as string, "error handle")
    assert.include(run.stderr, "failed     2 (ServiceError 2)")
  })

  it("stdout closed early (| head): exit 1, saying how many results were written and what to use instead", async () => {
    const input = Array.from({ length: 5_000 }, (_, i) => `{"ring_pool_id":"100","m1":"r${i}"}`).join("\n")
    const child = spawn(process.execPath, [bin, "bulk", "--max-batch-size", "10"], {
      env: cleanEnv(env),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    // Like `head -1`: the reader takes the first piece and goes away.
    child.stdout.once("data", () => child.stdout.destroy())
    child.stdin.on("error", () => undefined)
    child.stdin.end(input)
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
    assert.strictEqual(code, 1, stderr)
    assert.match(
      stderr,
      /^ringpool: standard output was closed before every result was written \(\d+ results? written to it; rows sent after them may have been allocated: use --output FILE to keep every result\)\n$/
    )
  })

  it("with no key to fall back on, a row without its own fails, saying where a key comes from", async () => {
    const input =
      '{"ring_pool_id":"100","m1":"a","request_id":"A"}\n{"ring_pool_id":"100","ring_pool_key":"pool-key","m1":"b"}\n'
    for (const extra of [[], ["--dry-run"]]) {
      const run = await ringpool(["bulk", ...extra], { env: { RINGPOOL_BASE_URL: fake.url }, input })
      assert.strictEqual(run.code, 2, run.stderr)
      const [keyless, keyed] = ndjson(run.stdout)
      assert.strictEqual(keyless!.request_id, "A")
      assert.strictEqual(keyless!.outcome, "failed")
      assert.strictEqual(
        keyless!.message,
        "no ring pool key: the row has no ring_pool_key, and neither --key nor RINGPOOL_KEY is set"
      )
      assert.include(["allocated", "valid"], keyed!.outcome)
    }
    assert.strictEqual(fake.calls().length, 1, "the dry run sent nothing; the run sent the keyed row")
  })

  it("answers rows from a pipe while it is still open, and on Ctrl-C closes its output, summarizes, exits 130", async () => {
    const child = spawn(process.execPath, [bin, "bulk", "-", "--output-format", "json"], {
      env: cleanEnv(env),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    // Two rows, and the pipe left open: their results must come without waiting for more input.
    child.stdin.write(
      '{"ring_pool_id":"100","request_id":"P1","m1":"a"}\n{"ring_pool_id":"100","request_id":"P2","m1":"b"}\n'
    )
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        if (stdout.includes('"P2"')) resolve()
      })
    )
    child.kill("SIGINT")
    assert.strictEqual(await exited, 130)
    const results = JSON.parse(stdout) as Array<Record<string, unknown>>
    assert.deepStrictEqual(
      results.map((result) => [result.line, result.request_id, result.outcome]),
      [
        [1, "P1", "allocated"],
        [2, "P2", "allocated"]
      ]
    )
    assert.include(stderr, "ringpool bulk: 2 rows")
    assert.include(stderr, "interrupted")
  })

  it("exits 1 with one line for input it cannot read at all", async () => {
    const [missing, header, trailing] = await Promise.all([
      ringpool(["bulk", join(dir, "nope.ndjson")], { env }),
      ringpool(["bulk", "-", "--input-format", "csv"], { env, input: "pool,m1\n1,a\n" }),
      ringpool(["bulk", "-", "--input-format", "json"], { env, input: '[{"ring_pool_id":"100","m1":"a"}]\n{"x":1}\n' })
    ])
    assert.strictEqual(missing.code, 1)
    assert.strictEqual(missing.stderr, `ringpool: cannot read ${join(dir, "nope.ndjson")}: no such file\n`)
    assert.strictEqual(missing.stdout, "")
    assert.strictEqual(header.code, 1)
    assert.include(header.stderr, "no ring_pool_id column")
    assert.strictEqual(trailing.code, 1)
    // The rows before the problem ran, and the summary says so.
    assert.strictEqual(ndjson(trailing.stdout).length, 1)
    assert.include(trailing.stderr, "ringpool bulk: 1 row in")
    assert.include(trailing.stderr, "ringpool: unexpected text after the JSON document (line 2)")
  })
})
