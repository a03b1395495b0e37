/**
 * A recognisable ring pool key goes through every command and every kind of failure, and never comes out:
 * not on stdout, not on stderr, not in an error message about a bad input line.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { type Run, ringpool } from "./support/cli.ts"

const KEY = "KEY-DO-NOT-PRINT-1234"
const dir = mkdtempSync(join(tmpdir(), "ringpool-key-"))
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

let fake: FakeRingPoolServer.FakeRingPoolServer
beforeAll(async () => {
  // The pool's own key is another one, so that every row carrying KEY is rejected with InvalidKey, whose message
  // (as the service words it) quotes the key it was given.
  fake = await startFakeRingPoolServer({ pools: [{ id: "100", key: "pool-key", size: 100 }] })
})
afterAll(() => fake.close())

const assertKeyNeverPrinted = (label: string, run: Run, expectedCode: number) => {
  assert.strictEqual(run.code, expectedCode, `${label}: ${run.stderr}`)
  assert.notInclude(run.stdout, "DO-NOT-PRINT", `${label}: stdout`)
  assert.notInclude(run.stderr, "DO-NOT-PRINT", `${label}: stderr`)
}

describe("the ring pool key", () => {
  it("is never printed by allocate, suffix or usage errors, whichever way it was given", async () => {
    const runs: Array<[string, Promise<Run>, number]> = [
      [
        "allocate, rejected, key from RINGPOOL_KEY",
        ringpool(["allocate", "--pool", "100", "m1=a"], { env: { RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: KEY } }),
        2
      ],
      [
        "allocate, rejected, key from --key",
        ringpool(["allocate", "--pool", "100", "--key", KEY, "--base-url", fake.url, "m1=a"]),
        2
      ],
      [
        "allocate, rejected, key from --key=",
        ringpool(["allocate", "--pool", "100", `--key=${KEY}`, "--base-url", fake.url, "m1=a"]),
        2
      ],
      [
        "allocate, unreachable service",
        ringpool(["allocate", "--pool", "100", "--key", KEY, "--base-url", "http://127.0.0.1:1", "m1=a"]),
        2
      ],
      [
        "allocate, key written as a parameter",
        ringpool(["allocate", "--pool", "100", "--base-url", fake.url, `ring_pool_key=${KEY}`]),
        1
      ],
      [
        "allocate, key as a stray argument",
        ringpool(["allocate", "--pool", "100", "--key", "k", "--base-url", fake.url, KEY]),
        1
      ],
      ["allocate, missing --pool", ringpool(["allocate", "--key", KEY, "m1=a"]), 1],
      ["suffix, masked", ringpool(["suffix", "--pool", "100", "--key", KEY, "m1=a"]), 0],
      // The key where it does not belong: as the pool id, a parameter's value, a parameter's name.
      ["suffix, key as pool id", ringpool(["suffix", "--pool", KEY, "m1=a"], { env: { RINGPOOL_KEY: KEY } }), 0],
      ["suffix, key as a value", ringpool(["suffix", "--pool", "100", "--key", KEY, `m1=${KEY}`]), 0],
      ["suffix, key as a name", ringpool(["suffix", "--pool", "100", "--key", KEY, `${KEY}=x`]), 0],
      [
        "suffix, RINGPOOL_KEY as a value while --key overrides it",
        ringpool(["suffix", "--pool", "100", "--key", "OTHER-KEY-4242", `m1=${KEY}`], { env: { RINGPOOL_KEY: KEY } }),
        0
      ],
      [
        "bulk --dry-run, RINGPOOL_KEY as a value while --key overrides it",
        ringpool(["bulk", "-", "--dry-run", "--key", "OTHER-KEY-4242"], {
          env: { RINGPOOL_KEY: KEY },
          input: `{"ring_pool_id":"100","m1":"${KEY}"}\n`
        }),
        0
      ],
      [
        "suffix, key in RINGPOOL_KEY, bad pool id",
        ringpool(["suffix", "--pool", "1/2", "m1=a"], { env: { RINGPOOL_KEY: KEY } }),
        1
      ],
      [
        "demo, key in the environment and as a stray argument",
        ringpool(["demo", KEY], { env: { RINGPOOL_KEY: KEY } }),
        1
      ],
      ["bulk, bad setting, key given", ringpool(["bulk", "--key", KEY, "--concurrency", "0"]), 1]
    ]
    const results = await Promise.all(runs.map(([, run]) => run))
    results.forEach((run, i) => assertKeyNeverPrinted(runs[i]![0], run, runs[i]![2]))
    // The masked suffix still shows where the key goes.
    assert.include(results[7]!.stdout, "ring_pool_key=<redacted>")
    assert.include(results[8]!.stdout, "<redacted>/allocate_number.json?ring_pool_key=<redacted>&m1=a")
  })

  it("is never printed by bulk, from any format, for any kind of bad row or failed call", async () => {
    const ndjson = [
      `{"ring_pool_id":"100","ring_pool_key":"${KEY}","m1":"rejected"}`,
      `{"ring_pool_id":"100","ring_pool_key":"${KEY}","m1": broken json`,
      `{"ring_pool_key":"${KEY}","m1":"no pool"}`,
      `{"ring_pool_id":"100","ring_pool_key":["${KEY}"],"m1":"key not a string"}`,
      `{"ring_pool_id":"100","ring_pool_key":"${KEY}"}`,
      `{"ring_pool_id":"100","m1":"default key, from --key"}`,
      // A key pasted as a field's name, whose value is not a parameter's: the message quotes the name.
      `{"ring_pool_id":"100","${KEY}":null}`,
      `{"ring_pool_id":"100","ring_pool_key":"${KEY}x","${KEY}x":{}}`
    ].join("\n")
    const csv = `ring_pool_id,ring_pool_key,m1\n100,${KEY},a\n100,"${KEY}"x,b\n100,${KEY}"q,c\n100,"${KEY}\n`
    const body = JSON.stringify({
      requests: [
        { api_suffix: `100/allocate_number.json?ring_pool_key=${KEY}&m1=a`, request_id: "S1" },
        { api_suffix: `100/other.json?ring_pool_key=${KEY}&m1=a`, request_id: "S2" },
        { api_suffix: `100/allocate_number.json?ring_pool_key=${KEY}%ZZ&m1=a`, request_id: "S3" }
      ]
    })
    const env = { RINGPOOL_BASE_URL: fake.url }
    const runs = await Promise.all([
      ringpool(["bulk", "--key", KEY], { env, input: ndjson }),
      ringpool(["bulk", "-", "--input-format", "csv", "--output-format", "csv"], { env, input: csv }),
      ringpool(["bulk", file("body.json", body), "--output-format", "json"], { env }),
      ringpool(["bulk", "--key", KEY, "--base-url", "http://127.0.0.1:1"], { input: ndjson })
    ])
    const labels = ["ndjson", "csv", "json body", "unreachable service"]
    runs.forEach((run, i) => assertKeyNeverPrinted(labels[i]!, run, 2))
    // Every line came out as a row (the assertions above are about real error rows, not missing ones).
    assert.strictEqual(runs[0]!.stdout.trim().split("\n").length, 8)
    assert.strictEqual(runs[0]!.stdout.split("must be a string, number or boolean").length, 3)
    assert.include(runs[0]!.stdout, "InvalidKey")
    assert.include(runs[2]!.stdout, "InvalidKey")
  })

  it("is never printed by fake-server, whose pools file holds keys", async () => {
    const bad = file("pools.json", JSON.stringify([{ id: "9", key: KEY, size: -1 }]))
    const unknownOption = file("pools2.json", JSON.stringify([{ id: "9", key: KEY, sise: 3 }]))
    const runs = await Promise.all([
      ringpool(["fake-server", "--pools", bad]),
      ringpool(["fake-server", "--pools", unknownOption])
    ])
    runs.forEach((run, i) => assertKeyNeverPrinted(`fake-server ${i}`, run, 1))
  })
})
