/**
 * `ringpool bulk --output FILE` and `--resume`, against the fake on loopback: runs killed with SIGKILL at random
 * points and resumed, until the input is done. Allocation is not idempotent, so what matters is what the fake
 * saw: every row allocated, and no row twice except the ones each resumed run said it sent again (rows the killed
 * run had sent without writing their results).
 *
 * The kill points come from a seeded generator; the seed is printed, and RINGPOOL_TEST_SEED replays a run.
 */
import { execFileSync, spawn } from "node:child_process"
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { parse } from "csv-parse/sync"
import { bin, cleanEnv, ringpool } from "./support/cli.ts"
import { seeded, writeLines } from "./support/files.ts"

const seed = Number(process.env.RINGPOOL_TEST_SEED ?? Date.now() % 1_000_000_000)
console.log(`Resume.test.ts: kill points from seed ${seed} (RINGPOOL_TEST_SEED=${seed} replays them)`)

const random = seeded(seed)

const dir = mkdtempSync(join(tmpdir(), "ringpool-resume-"))

const rowsFile = (name: string, count: number, tweak: (i: number) => string = () => "autos") =>
  writeLines(
    join(dir, name),
    count,
    (i) => `{"ring_pool_id":"100","request_id":"R${i}","m1":"${tweak(i)}","visit":"${i}"}`
  )

let fake: FakeRingPoolServer.FakeRingPoolServer
let env: Record<string, string>
beforeAll(async () => {
  fake = await startFakeRingPoolServer({
    pools: [{ id: "100", key: "pool-key-0123456789", size: 1000 }],
    logLimit: { allocations: 1_000_000, calls: 100_000 }
  })
  env = { RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: "pool-key-0123456789" }
})
afterAll(() => fake.close())
beforeEach(() => fake.reset())

interface Stopped {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

/** Runs `ringpool bulk ...args` and SIGKILLs it after `killAfterMs` (unless it ends first). */
const runKilled = (args: ReadonlyArray<string>, killAfterMs: number): Promise<Stopped> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "bulk", ...args], {
      env: cleanEnv(env),
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stderr })
    })
  })

/**
 * How many rows a resumed run said, as it started, it would send again (0 when it says nothing of it): a run that
 * is killed never prints its summary.
 */
const resentOf = (stderr: string) => Number(/; the (\d+) rows? after them had been sent/.exec(stderr)?.[1] ?? 0)

/** Rows the fake allocated more than once, by request_id. */
const allocatedTwice = () => {
  const seen = new Map<string, number>()
  for (const allocation of fake.allocations()) {
    const id = allocation.requestId ?? "?"
    seen.set(id, (seen.get(id) ?? 0) + 1)
  }
  let twice = 0
  for (const n of seen.values()) twice += n - 1
  return { twice, distinct: seen.size }
}

/** The results FILE holds, as `[line, request_id, outcome]`, whatever its format. */
const resultsOf = (path: string, format: "ndjson" | "json" | "csv"): Array<[number, string, string]> => {
  const text = readFileSync(path, "utf8")
  const records: Array<Record<string, unknown>> =
    format === "csv"
      ? (parse(text, { columns: true }) as Array<Record<string, string>>)
      : format === "json"
        ? (JSON.parse(text) as Array<Record<string, unknown>>)
        : text
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as Record<string, unknown>)
  return records.map((record) => [Number(record.line), String(record.request_id), String(record.outcome)])
}

const assertOneResultPerRowInOrder = (path: string, format: "ndjson" | "json" | "csv", count: number) => {
  const results = resultsOf(path, format)
  assert.strictEqual(results.length, count, `${path}: one result per input row (seed ${seed})`)
  results.forEach(([line, requestId, outcome], i) => {
    if (line !== i + 1 || requestId !== `R${i}` || outcome !== "allocated") {
      assert.fail(`${path}: result ${i + 1} is ${JSON.stringify([line, requestId, outcome])} (seed ${seed})`)
    }
  })
}

/**
 * Kills a run `kills` times at random points, resuming after each, then lets it finish. The first run starts
 * afresh unless `started` (the test ran it already). Returns what the resumed runs said they sent again, and the
 * last run's stderr.
 */
const killAndResume = async (
  input: string,
  output: string,
  extra: ReadonlyArray<string>,
  kills: number,
  maxMs: number,
  started = false
) => {
  let resent = 0
  const args = [input, "--output", output, ...extra]
  for (let k = 0; k < kills; k++) {
    const stopped = await runKilled(
      k === 0 && !started ? args : [...args, "--resume"],
      100 + Math.floor(random() * maxMs)
    )
    resent += resentOf(stopped.stderr)
    // A run that ended before its kill ended well: exit 0.
    if (stopped.signal === null) assert.strictEqual(stopped.code, 0, stopped.stderr)
  }
  const last = await ringpool(["bulk", ...args, "--resume"], { env })
  assert.strictEqual(last.code, 0, `${last.stderr} (seed ${seed})`)
  return { resent: resent + resentOf(last.stderr), stderr: last.stderr }
}

describe("bulk --output and --resume", () => {
  it("killed (SIGKILL) at random points over 200,000 rows and resumed: one result per row, in order; nothing allocated twice but what the resumed runs reported", {
    timeout: 300_000
  }, async () => {
    const count = 200_000
    const input = await rowsFile("200k.ndjson", count)
    const output = join(dir, "200k-results.ndjson")
    const { resent, stderr } = await killAndResume(input, output, [], 5, 3000)
    assertOneResultPerRowInOrder(output, "ndjson", count)
    const { twice, distinct } = allocatedTwice()
    console.log(`200k rows, 5 kills: ${resent} rows reported sent again, ${twice} allocated twice (seed ${seed})`)
    assert.strictEqual(distinct, count, "every row was allocated")
    assert.isAtMost(twice, resent, `rows allocated twice that no resumed run reported (seed ${seed})`)
    // At most concurrency x max-batch-size (8 x 100) rows in flight per kill.
    assert.isAtMost(resent, 5 * 800)
    assert.match(stderr, new RegExp(`\\(${count} in all\\)`))

    // Resuming the finished FILE sends nothing and changes nothing.
    const before = readFileSync(output, "utf8")
    fake.reset()
    const again = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(again.code, 0, again.stderr)
    assert.strictEqual(fake.calls().length, 0)
    assert.strictEqual(readFileSync(output, "utf8"), before)
    assert.include(again.stderr, "ringpool bulk: 0 rows")
  })

  it("resumes a finished JSON or CSV FILE without sending or changing anything", async () => {
    for (const format of ["json", "csv"] as const) {
      const input = await rowsFile(`finished-${format}.ndjson`, 300)
      const output = join(dir, `finished-results.${format}`)
      const run = await ringpool(["bulk", input, "--output", output, "--output-format", format], { env })
      assert.strictEqual(run.code, 0, run.stderr)
      const written = readFileSync(output, "utf8")
      fake.reset()
      const again = await ringpool(["bulk", input, "--output", output, "--output-format", format, "--resume"], { env })
      assert.strictEqual(again.code, 0, again.stderr)
      assert.strictEqual(fake.calls().length, 0)
      assert.strictEqual(readFileSync(output, "utf8"), written, format)
    }
  })

  it("refuses to resume a finished FILE whose input has grown: the rows added are a run of their own", async () => {
    const input = await rowsFile("grown.ndjson", 20)
    const output = join(dir, "grown-results.ndjson")
    assert.strictEqual((await ringpool(["bulk", input, "--output", output], { env })).code, 0)
    const written = readFileSync(output, "utf8")
    appendFileSync(input, '{"ring_pool_id":"100","m1":"added"}\n')
    fake.reset()
    const again = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(again.code, 1, again.stderr)
    assert.include(again.stderr, "has grown since")
    assert.strictEqual(again.stderr.split("\n").length, 2, again.stderr)
    assert.strictEqual(fake.calls().length, 0)
    assert.strictEqual(readFileSync(output, "utf8"), written)
  })

  it("a finished FILE whose input gained only blank lines resumes as finished: nothing is sent", async () => {
    const input = await rowsFile("blank-grown.ndjson", 20)
    const output = join(dir, "blank-grown-results.ndjson")
    assert.strictEqual((await ringpool(["bulk", input, "--output", output], { env })).code, 0)
    appendFileSync(input, "\n  \n")
    fake.reset()
    const again = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(again.code, 0, again.stderr)
    assert.strictEqual(fake.calls().length, 0)
  })

  it("JSON with text after the document: its rows run, the run is finished, and resuming sends nothing", async () => {
    const input = join(dir, "trailing.json")
    writeFileSync(input, '[{"ring_pool_id":"100","m1":"a"},{"ring_pool_id":"100","m1":"b"}]\ntrailing text\n')
    const output = join(dir, "trailing-results.ndjson")
    const run = await ringpool(["bulk", input, "--output", output], { env })
    assert.strictEqual(run.code, 1, run.stderr)
    assert.include(run.stderr, "unexpected text after the JSON document")
    assert.strictEqual(readFileSync(output, "utf8").trim().split("\n").length, 2)
    const last = JSON.parse(readFileSync(`${output}.ledger`, "utf8").trim().split("\n").at(-1)!) as { finished?: true }
    assert.isTrue(last.finished)
    fake.reset()
    const again = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.include(again.stderr, "unexpected text after the JSON document")
    assert.strictEqual(fake.calls().length, 0, "no row sent again")
  })

  it("refuses to resume JSON input from a ledger of a version that counted its rows otherwise", async () => {
    const input = join(dir, "counted.json")
    writeFileSync(input, '[{"ring_pool_id":"100","m1":"a"},{"ring_pool_id":"100","m1":"b"}]\n')
    const output = join(dir, "counted-results.ndjson")
    assert.strictEqual((await ringpool(["bulk", input, "--output", output], { env })).code, 0)
    const ledgerPath = `${output}.ledger`
    const [header, ...marks] = readFileSync(ledgerPath, "utf8").split("\n")
    const { reader: _reader, ...older } = JSON.parse(header!) as Record<string, unknown>
    writeFileSync(ledgerPath, [JSON.stringify(older), ...marks].join("\n"))
    fake.reset()
    const again = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(again.code, 1, again.stderr)
    assert.include(again.stderr, "was written by an earlier ringpool bulk, which counted the rows of a JSON array")
    assert.strictEqual(fake.calls().length, 0)
  })

  it("finds the ledger of a FILE written through a link, and refuses a ledger that is not a plain file", {
    timeout: 60_000
  }, async () => {
    const input = await rowsFile("through-link.ndjson", 100_000)
    const real = join(dir, "through-link-results.ndjson")
    writeFileSync(real, "")
    const link = join(dir, "through-link-alias.ndjson")
    symlinkSync(real, link)
    const stopped = await runKilled([input, "--output", link], 500)
    assert.strictEqual(stopped.signal, "SIGKILL")
    const written = readFileSync(real, "utf8")
    const fresh = await ringpool(["bulk", input, "--output", real], { env })
    assert.strictEqual(fresh.code, 1, fresh.stderr)
    assert.include(fresh.stderr, "holds an unfinished run")
    assert.strictEqual(readFileSync(real, "utf8"), written)

    // A ledger that is a link would have the run write over what it points to; a pipe would hang the run.
    const precious = join(dir, "precious.txt")
    writeFileSync(precious, "precious")
    const other = join(dir, "link-ledger-results.ndjson")
    symlinkSync(precious, `${other}.ledger`)
    const linked = await ringpool(["bulk", input, "--output", other], { env })
    assert.strictEqual(linked.code, 1, linked.stderr)
    assert.include(linked.stderr, "is not a plain file")
    assert.strictEqual(readFileSync(precious, "utf8"), "precious")
    const piped = join(dir, "fifo-ledger-results.ndjson")
    execFileSync("mkfifo", [`${piped}.ledger`])
    const fifo = await ringpool(["bulk", input, "--output", piped, "--dry-run"], { env })
    assert.strictEqual(fifo.code, 1, fifo.stderr)
    assert.include(fifo.stderr, "is not a plain file")
  })

  for (const format of ["json", "csv"] as const) {
    it(`works the same for ${format} output, and repairs a torn last row`, { timeout: 120_000 }, async () => {
      const count = 100_000
      const input = await rowsFile(`100k-${format}.ndjson`, count)
      const output = join(dir, `100k-results.${format}`)
      const first = await runKilled([input, "--output", output, "--output-format", format], 300 + random() * 200)
      assert.strictEqual(first.signal, "SIGKILL", "the run was to be killed part way")
      // A write that the crash cut short: half a row after the last whole one.
      appendFileSync(output, format === "csv" ? '999999,allocated,"R99' : ',\n{"line":999999,"outcome":"allo')
      const { resent } = await killAndResume(input, output, ["--output-format", format], 2, 800, true)
      assertOneResultPerRowInOrder(output, format, count)
      const { twice, distinct } = allocatedTwice()
      assert.strictEqual(distinct, count)
      assert.isAtMost(twice, resent, `(seed ${seed})`)
    })
  }

  it("refuses, with one line that says why, to resume for another input or with other settings", async () => {
    const input = await rowsFile("small.ndjson", 500)
    const other = await rowsFile("other.ndjson", 500, (i) => (i === 3 ? "garden" : "autos"))
    const output = join(dir, "small-results.ndjson")
    const run = await ringpool(["bulk", input, "--output", output], { env })
    assert.strictEqual(run.code, 0, run.stderr)
    const written = readFileSync(output, "utf8")
    fake.reset()
    // One after the other: runs on one FILE at once would be refused for that instead (see the lock's test).
    const refusals = []
    for (const args of [
      [other, "--output", output, "--resume"],
      [input, "--output", output, "--resume", "--output-format", "csv"],
      [input, "--output", output, "--resume", "--input-format", "csv"],
      [input, "--output", output, "--resume", "--base-url", "http://127.0.0.1:9"],
      [input, "--output", join(dir, "never-written.ndjson"), "--resume"]
    ]) {
      refusals.push(await ringpool(["bulk", ...args], { env }))
    }
    const reasons = [
      "was written for another input",
      "was written with --output-format ndjson, not csv",
      "was written with --input-format ndjson, not csv",
      "was written with --base-url / RINGPOOL_BASE_URL",
      "nothing to resume"
    ]
    refusals.forEach((refused, i) => {
      assert.strictEqual(refused.code, 1, refused.stderr)
      assert.include(refused.stderr, reasons[i]!)
      assert.strictEqual(refused.stderr.split("\n").length, 2, refused.stderr)
      assert.strictEqual(refused.stdout, "")
    })
    assert.strictEqual(fake.calls().length, 0, "nothing sent")
    assert.strictEqual(readFileSync(output, "utf8"), written, "FILE untouched")
  })

  it("refuses to resume a ledger whose counts do not add up, or a FILE that holds more results than were sent", async () => {
    const input = await rowsFile("tampered.ndjson", 500)
    const output = join(dir, "tampered-results.ndjson")
    const run = await ringpool(["bulk", input, "--output", output], { env })
    assert.strictEqual(run.code, 0, run.stderr)
    const ledgerPath = `${output}.ledger`
    const ledger = readFileSync(ledgerPath, "utf8")
    const written = readFileSync(output, "utf8")
    fake.reset()

    // The last mark's counts set back to nothing, its tally left: it would skip 500 rows that FILE does not hold.
    const lines = ledger.trimEnd().split("\n")
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>
    const { finished: _finished, ...unfinished } = last
    const edited = { ...unfinished, sent: 0, written: 0, bytes: 0 }
    writeFileSync(ledgerPath, `${[...lines.slice(0, -1), JSON.stringify(edited)].join("\n")}\n`)
    const counts = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(counts.code, 1, counts.stderr)
    assert.include(counts.stderr, "does not add up")

    // Results appended to FILE that its run never wrote: resuming would skip rows no one sent.
    writeFileSync(ledgerPath, ledger)
    appendFileSync(output, '{"line":501,"outcome":"allocated","request_id":"R500"}\n')
    const extra = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(extra.code, 1, extra.stderr)
    assert.include(extra.stderr, "holds more results than its run sent")
    // A row in the middle of FILE edited (a space added): FILE is longer, and no longer what the run wrote.
    const lines5 = written.split("\n")
    lines5[4] = lines5[4]!.replace('":', '": ')
    writeFileSync(output, lines5.join("\n"))
    const middle = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(middle.code, 1, middle.stderr)
    assert.include(middle.stderr, "is not as its ledger recorded it")
    for (const refused of [counts, extra, middle]) {
      assert.strictEqual(refused.stderr.split("\n").length, 2, refused.stderr)
    }
    assert.strictEqual(fake.calls().length, 0, "nothing sent")
    assert.strictEqual(readFileSync(output, "utf8"), lines5.join("\n"))
  })

  it("refuses an --output that is standard input's FILE, or whose ledger would be the input", async () => {
    const input = await rowsFile("stdin-output.ndjson", 50)
    const rows = readFileSync(input, "utf8")
    const run = await ringpool(["bulk", "-", "--output", input], { env, stdinFile: input })
    assert.strictEqual(run.code, 1, run.stderr)
    assert.include(run.stderr, "is the input FILE")
    assert.strictEqual(readFileSync(input, "utf8"), rows)
    const named = join(dir, "named.ledger")
    writeFileSync(named, rows)
    const ledger = await ringpool(["bulk", named, "--output", join(dir, "named")], { env })
    assert.strictEqual(ledger.code, 1, ledger.stderr)
    assert.include(ledger.stderr, "which is the input FILE")
    assert.strictEqual(readFileSync(named, "utf8"), rows)
    assert.strictEqual(fake.calls().length, 0)
  })

  it("refuses an --output that is the input FILE, by its name or through a link, and leaves it whole", async () => {
    const input = await rowsFile("own-output.ndjson", 50)
    const rows = readFileSync(input, "utf8")
    const link = join(dir, "own-output-link.ndjson")
    symlinkSync(input, link)
    for (const output of [input, link]) {
      const run = await ringpool(["bulk", input, "--output", output], { env })
      assert.strictEqual(run.code, 1, run.stderr)
      assert.include(run.stderr, "is the input FILE")
      assert.strictEqual(readFileSync(input, "utf8"), rows)
    }
    assert.strictEqual(fake.calls().length, 0)
  })

  it("refuses to start afresh over an unfinished run, whose rows would be allocated again", {
    timeout: 60_000
  }, async () => {
    const input = await rowsFile("unfinished.ndjson", 100_000)
    const output = join(dir, "unfinished-results.ndjson")
    const stopped = await runKilled([input, "--output", output], 500)
    assert.strictEqual(stopped.signal, "SIGKILL")
    const written = readFileSync(output, "utf8")
    const again = await ringpool(["bulk", input, "--output", output], { env })
    assert.strictEqual(again.code, 1)
    assert.include(again.stderr, "holds an unfinished run")
    assert.include(again.stderr, "add --resume")
    assert.strictEqual(readFileSync(output, "utf8"), written)

    // A ledger damaged (or replaced) since is no licence to start over: it may be all that records that run.
    const ledger = readFileSync(`${output}.ledger`, "utf8")
    writeFileSync(`${output}.ledger`, `{"ledger":"x"}\n${ledger.slice(ledger.indexOf("\n") + 1)}`)
    const calls = fake.calls().length
    const damaged = await ringpool(["bulk", input, "--output", output], { env })
    assert.strictEqual(damaged.code, 1, damaged.stderr)
    assert.include(damaged.stderr, "is not a ledger of ringpool bulk, or is damaged")
    assert.include(damaged.stderr, "remove both files to start over")
    assert.strictEqual(readFileSync(output, "utf8"), written)
    assert.strictEqual(fake.calls().length, calls, "nothing sent")
  })

  it("refuses an --output that is a device, where no ledger can go beside it", async () => {
    const input = await rowsFile("to-device.ndjson", 10)
    for (const output of ["/dev/null", "/dev/stdout"]) {
      const run = await ringpool(["bulk", input, "--output", output], { env })
      assert.strictEqual(run.code, 1, run.stderr)
      assert.include(run.stderr, "is not a plain file (a device or a pipe)")
    }
    assert.isFalse(existsSync("/dev/null.ledger"))
    assert.strictEqual(fake.calls().length, 0)
  })

  it("refuses an --output named as a run's ledger or lock, which results would destroy", async () => {
    const input = await rowsFile("named-ledger.ndjson", 10)
    for (const output of [join(dir, "some-results.ndjson.ledger"), join(dir, "some-results.ndjson.lock")]) {
      const run = await ringpool(["bulk", input, "--output", output], { env })
      assert.strictEqual(run.code, 1, run.stderr)
      assert.include(run.stderr, "write the results to another name")
      assert.isFalse(existsSync(output))
    }
    assert.strictEqual(fake.calls().length, 0)
  })

  it("a link to a FILE not there yet takes the lock the FILE will have: a second run by either name is refused", {
    timeout: 60_000
  }, async () => {
    const count = 10_000
    const input = await rowsFile("dangling.ndjson", count)
    const real = join(dir, "dangling-target", "results.ndjson")
    mkdirSync(join(dir, "dangling-target"))
    const link = join(dir, "dangling-link.ndjson")
    symlinkSync(real, link)
    fake.inject({ fault: "delay", ms: 20, times: "always" })
    // Small calls, each slow: the first run goes on for seconds.
    const first = ringpool(["bulk", input, "--output", link, "--max-batch-size", "10"], { env })
    for (let waited = 0; !existsSync(`${real}.ledger`); waited += 10) {
      if (waited > 10_000) assert.fail("the first run never made its ledger")
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    assert.isTrue(existsSync(`${real}.lock`), "the lock is beside the file the link leads to")
    for (const name of [link, real]) {
      const second = await ringpool(["bulk", input, "--output", name, "--resume"], { env })
      assert.strictEqual(second.code, 1, second.stderr)
      assert.include(second.stderr, "is being written by another ringpool bulk (process ")
    }
    const done = await first
    assert.strictEqual(done.code, 0, done.stderr)
    assertOneResultPerRowInOrder(real, "ndjson", count)
    // Named through a link, a ledger is refused as an output as it is by its own name.
    const alias = join(dir, "alias-to-ledger.ndjson")
    symlinkSync(`${real}.ledger`, alias)
    const aliased = await ringpool(["bulk", input, "--output", alias], { env })
    assert.strictEqual(aliased.code, 1, aliased.stderr)
    assert.include(aliased.stderr, "write the results to another name")
  })

  it("one run at a time writes a FILE: a --resume started while the run goes on is refused, and the run ends whole", {
    timeout: 60_000
  }, async () => {
    const count = 20_000
    const input = await rowsFile("locked.ndjson", count)
    const output = join(dir, "locked-results.ndjson")
    // Slow answers keep the first run going while the second one starts.
    fake.inject({ fault: "delay", ms: 20, times: "always" })
    const first = ringpool(["bulk", input, "--output", output], { env })
    for (let waited = 0; !existsSync(`${output}.lock`); waited += 10) {
      if (waited > 10_000) assert.fail("the first run never took its lock")
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    // The same FILE by another name (a symbolic link to it) is the same FILE.
    const alias = join(dir, "locked-results-alias.ndjson")
    symlinkSync(output, alias)
    for (const name of [output, alias]) {
      const second = await ringpool(["bulk", input, "--output", name, "--resume"], { env })
      assert.strictEqual(second.code, 1, second.stderr)
      assert.include(second.stderr, "is being written by another ringpool bulk (process ")
      assert.strictEqual(second.stderr.split("\n").length, 2, second.stderr)
    }
    const done = await first
    assert.strictEqual(done.code, 0, done.stderr)
    assertOneResultPerRowInOrder(output, "ndjson", count)
    assert.deepStrictEqual(allocatedTwice(), { twice: 0, distinct: count })
    assert.isFalse(existsSync(`${output}.lock`), "the lock is given back")
  })

  it("takes over the lock a killed run left behind", { timeout: 60_000 }, async () => {
    const count = 100_000
    const input = await rowsFile("stale-lock.ndjson", count)
    const output = join(dir, "stale-lock-results.ndjson")
    const stopped = await runKilled([input, "--output", output], 500)
    assert.strictEqual(stopped.signal, "SIGKILL")
    assert.isTrue(existsSync(`${output}.lock`), "SIGKILL leaves the lock behind")
    const last = await ringpool(["bulk", input, "--output", output, "--resume"], { env })
    assert.strictEqual(last.code, 0, last.stderr)
    assertOneResultPerRowInOrder(output, "ndjson", count)
    assert.isFalse(existsSync(`${output}.lock`))
  })

  it("refuses, in one line and at once, a lock's name taken by something else, and leaves it alone", {
    timeout: 30_000
  }, async () => {
    const input = await rowsFile("lock-in-the-way.ndjson", 10)
    // A folder; a pipe (reading it would wait for ever); a link to a device (reading it would never end).
    const inTheWay: Array<[string, (path: string) => void, (path: string) => boolean]> = [
      ["folder", (path) => mkdirSync(path), (path) => statSync(path).isDirectory()],
      ["pipe", (path) => execFileSync("mkfifo", [path]), (path) => lstatSync(path).isFIFO()],
      ["link", (path) => symlinkSync("/dev/zero", path), (path) => lstatSync(path).isSymbolicLink()]
    ]
    for (const [name, make, stillThere] of inTheWay) {
      const output = join(dir, `lock-in-the-way-${name}.ndjson`)
      make(`${output}.lock`)
      const refused = await ringpool(["bulk", input, "--output", output], { env })
      assert.strictEqual(refused.code, 1, `${name}: ${refused.stderr}`)
      assert.include(refused.stderr, "is in the way of")
      assert.include(refused.stderr, "move it away")
      assert.notInclude(refused.stderr, "unexpected")
      assert.strictEqual(refused.stderr.split("\n").length, 2, refused.stderr)
      assert.isTrue(stillThere(`${output}.lock`), `the ${name} is left as it was`)
    }
    assert.deepStrictEqual(fake.allocations(), [], "nothing was sent")
  })

  it("on Ctrl-C writes the results of every row sent, and --resume goes on from there", {
    timeout: 60_000
  }, async () => {
    const count = 50_000
    const input = await rowsFile("interrupted.ndjson", count)
    const output = join(dir, "interrupted-results.json")
    const child = spawn(process.execPath, [bin, "bulk", input, "--output", output, "--output-format", "json"], {
      env: cleanEnv(env),
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    setTimeout(() => child.kill("SIGINT"), 400)
    assert.strictEqual(await exited, 130, stderr)
    assert.include(stderr, "--resume to continue")
    // The interrupted FILE is a whole JSON array, and every row the fake allocated has its result in it.
    const partial = JSON.parse(readFileSync(output, "utf8")) as Array<{ request_id: string }>
    assert.isAbove(partial.length, 0)
    assert.strictEqual(fake.allocations().length, partial.length)
    const last = await ringpool(["bulk", input, "--output", output, "--output-format", "json", "--resume"], { env })
    assert.strictEqual(last.code, 0, last.stderr)
    assert.strictEqual(resentOf(last.stderr), 0)
    assertOneResultPerRowInOrder(output, "json", count)
    assert.strictEqual(allocatedTwice().twice, 0)
  })

  it("keeps no key in its ledger", async () => {
    const input = join(dir, "keys.ndjson")
    writeFileSync(input, '{"ring_pool_id":"100","ring_pool_key":"pool-key-0123456789","m1":"a"}\n')
    const output = join(dir, "keys-results.ndjson")
    const run = await ringpool(["bulk", input, "--output", output, "--key", "pool-key-0123456789"], { env })
    assert.strictEqual(run.code, 0, run.stderr)
    const ledger = readFileSync(`${output}.ledger`, "utf8")
    assert.notInclude(ledger, "pool-k")
    assert.notInclude(ledger, "0123456789")
  })
})
