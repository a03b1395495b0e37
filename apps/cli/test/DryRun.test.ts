/**
 * `ringpool bulk --dry-run`: every row checked and shown as the api_suffix it would be sent with, key masked; one
 * result per row in the output format; nothing sent (the fake's call log stays empty).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { parse } from "csv-parse/sync"
import { ndjson, ringpool } from "./support/cli.ts"

const envKey = "ENV-KEY-ab12cd34ef56"
const rowKey = "ROW-KEY-zz98yy76xx54"
const fileKey = "FILE-KEY-qq11ww22ee33"

let fake: FakeRingPoolServer.FakeRingPoolServer
let env: Record<string, string>
const dir = mkdtempSync(join(tmpdir(), "ringpool-dry-run-"))
beforeAll(async () => {
  fake = await startFakeRingPoolServer({ pools: [{ id: "100", key: envKey, size: 10 }] })
  env = { RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: envKey }
})
afterAll(() => fake.close())
beforeEach(() => fake.reset())

/** No key, nor any 6 characters of one, in `text`. */
const assertNoKey = (text: string) => {
  for (const key of [envKey, rowKey, fileKey]) {
    for (let i = 0; i + 6 <= key.length; i++)
      assert.notInclude(text, key.slice(i, i + 6), `a piece of ${key.slice(0, 3)}...`)
  }
}

describe("bulk --dry-run", () => {
  it("shows every row as its masked api_suffix, sends nothing, exits 0 when every row is valid", async () => {
    const rows = [
      '{"ring_pool_id":"100","request_id":"A1","m1":"autos","SMS Callback":"true"}',
      `{"ring_pool_id":"100","ring_pool_key":"${rowKey}","request_id":"A2","m1":"x&y"}`,
      `{"api_suffix":"100/allocate_number.json?ring_pool_key=${encodeURIComponent(fileKey)}&m1=a","request_id":"A3"}`,
      `{"ring_pool_id":"100","request_id":"A4","note":"the key pasted by mistake: ${envKey}"}`,
      // A row with a key of its own, and the default key pasted into a parameter.
      `{"ring_pool_id":"100","ring_pool_key":"${rowKey}","request_id":"A5","note":"${envKey}"}`
    ]
    const run = await ringpool(["bulk", "-", "--dry-run"], { env, input: `${rows.join("\n")}\n` })
    assert.strictEqual(run.code, 0, run.stderr)
    assert.strictEqual(fake.calls().length, 0, "nothing sent")
    const results = ndjson(run.stdout)
    assert.deepStrictEqual(
      results.map((result) => [result.line, result.outcome, result.request_id, result.api_suffix]),
      [
        [1, "valid", "A1", "100/allocate_number.json?ring_pool_key=<redacted>&m1=autos&SMS%20Callback=true"],
        [2, "valid", "A2", "100/allocate_number.json?ring_pool_key=<redacted>&m1=x%26y"],
        [3, "valid", "A3", "100/allocate_number.json?ring_pool_key=<redacted>&m1=a"],
        [
          4,
          "valid",
          "A4",
          "100/allocate_number.json?ring_pool_key=<redacted>&note=the%20key%20pasted%20by%20mistake%3A%20<redacted>"
        ],
        [5, "valid", "A5", "100/allocate_number.json?ring_pool_key=<redacted>&note=<redacted>"]
      ]
    )
    assert.match(run.stderr, /^ringpool bulk --dry-run: 5 rows checked in/)
    assert.include(run.stderr, "nothing was sent")
    assertNoKey(run.stdout + run.stderr)
  })

  it("gives an invalid row its failed result in place, and exits 2; CSV output has the suffix column", async () => {
    const input = join(dir, "rows.csv")
    writeFileSync(input, `ring_pool_id,request_id,m1\n100,B1,a\n,B2,b\n"bad,B3,c\n100,B4,d\n1/2,B5,e\n`)
    const output = join(dir, "checked.csv")
    const run = await ringpool(["bulk", input, "--dry-run", "--output", output, "--output-format", "csv"], { env })
    assert.strictEqual(run.code, 2, run.stderr)
    assert.strictEqual(fake.calls().length, 0, "nothing sent")
    assert.strictEqual(run.stdout, "")
    const records = parse(readFileSync(output, "utf8"), { columns: true }) as Array<Record<string, string>>
    assert.deepStrictEqual(Object.keys(records[0]!), [
      "line",
      "outcome",
      "request_id",
      "api_suffix",
      "reason",
      "message"
    ])
    assert.deepStrictEqual(
      records.map((record) => [record.line, record.outcome, record.reason]),
      [
        ["2", "valid", ""],
        ["3", "failed", "InvalidInput"],
        ["4", "failed", "InvalidInput"],
        ["5", "valid", ""],
        ["6", "failed", "InvalidRequest"]
      ]
    )
    assert.include(run.stderr, "invalid    3 (InvalidInput 2, InvalidRequest 1)")
    assertNoKey(readFileSync(output, "utf8") + run.stderr)
  })

  it("checks that every row has a key, as a real run would", async () => {
    const run = await ringpool(["bulk", "-", "--dry-run"], {
      env: { RINGPOOL_BASE_URL: fake.url },
      input: '{"ring_pool_id":"100","m1":"a"}\n'
    })
    assert.strictEqual(run.code, 2)
    assert.deepStrictEqual(
      ndjson(run.stdout).map((result) => [result.outcome, result.reason]),
      [["failed", "InvalidInput"]]
    )
    assert.include(String(ndjson(run.stdout)[0]!.message), "neither --key nor RINGPOOL_KEY is set")
  })
})
