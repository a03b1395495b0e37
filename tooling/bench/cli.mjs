// Benchmark 6: the `ringpool` command. Start-up of `ringpool --help` and `ringpool allocate` (against the fake)
// next to `node -e 0`; `ringpool bulk` over 100,000 and 1,000,000 NDJSON rows, through the bin (its shebang, as an
// installed `ringpool` runs) and as `node dist/bin.js` (no flags at all): rows per second next to the fake-alone
// rate measured just before, and the child's peak memory (VmHWM).
import { spawn, spawnSync } from "node:child_process"
import { createWriteStream } from "node:fs"
import { readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fakeServerAlone } from "./fakeServerAlone.mjs"
import { cpuDuring, cpuSecondsOf } from "./processes.mjs"

const bin = fileURLToPath(new URL("../../apps/cli/dist/bin.js", import.meta.url))

const median = (samples) => [...samples].sort((a, b) => a - b)[samples.length >> 1]

/** Wall time of one run of `command`, in milliseconds; it must exit 0. */
const timeOf = (command, args) => {
  const started = performance.now()
  const { status, stderr } = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"] })
  if (status !== 0) throw new Error(`${[command, ...args].join(" ")} exited with ${status}: ${stderr}`)
  return performance.now() - started
}

/**
 * Start-up next to `node -e 0`, in rounds that alternate the contenders, so that a machine that slows down or
 * speeds up during the measurement moves them all alike. Medians of each.
 */
export const startup = (fakeUrl, { rounds }) => {
  const contenders = {
    node: [process.execPath, ["-e", "0"]],
    help: [process.execPath, [bin, "--help"]],
    allocate: [process.execPath, [bin, "allocate", "--pool", "1", "--key", "bench-key", "--base-url", fakeUrl, "m1=a"]]
  }
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
  // One unmeasured round: the first start of a command reads its files from disk.
  for (const [command, args] of Object.values(contenders)) timeOf(command, args)
  for (let round = 0; round < rounds; round++) {
    for (const [name, [command, args]] of Object.entries(contenders)) samples[name].push(timeOf(command, args))
  }
  return Object.fromEntries(Object.entries(samples).map(([name, times]) => [name, median(times)]))
}

const writeRows = (path, count) =>
  new Promise((resolve, reject) => {
    const out = createWriteStream(path)
    out.on("error", reject)
    let i = 0
    const write = () => {
      let ok = true
      while (i < count && ok) {
        ok = out.write(`{"ring_pool_id":"1","m1":"autos","visit":"${i}","request_id":"c${i}"}\n`)
        i++
      }
      if (i < count) out.once("drain", write)
      else out.end(resolve)
    }
    write()
  })

const peakOf = async (pid) => {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8")
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

/** One bulk run over `path`, through the bin (`how: "bin"`) or as `node dist/bin.js`. */
const bulk = (path, fakeUrl, how, extra = []) =>
  new Promise((resolve, reject) => {
    const args = ["bulk", path, "--base-url", fakeUrl, "--key", "bench-key", ...extra]
    const started = performance.now()
    const child =
      how === "bin"
        ? spawn(bin, args, { stdio: ["ignore", "ignore", "ignore"] })
        : spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "ignore", "ignore"] })
    let peak = 0
    let cpu
    // VmHWM is the process's own high-water mark, so sampling often enough to catch the last value is all it takes.
    // Its CPU time is sampled alike: the last sample misses at most 50 ms of it.
    const sampler = setInterval(async () => {
      peak = Math.max(peak, await peakOf(child.pid))
      cpu = (await cpuSecondsOf(child.pid)) ?? cpu
    }, 50)
    child.on("error", reject)
    child.on("exit", (code) => {
      clearInterval(sampler)
      if (code !== 0) reject(new Error(`ringpool bulk exited with ${code}`))
      else resolve({ rowsPerSecond: 0, seconds: (performance.now() - started) / 1000, peak, cpu })
    })
  })

const handWrittenScript = fileURLToPath(new URL("./handWrittenBulk.mjs", import.meta.url))

/** One run of the hand-written client over `path`: its wall time and CPU seconds. */
const handWritten = (path, fakeUrl) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [handWrittenScript, path, fakeUrl, "bench-key"], {
      stdio: ["ignore", "ignore", "inherit"]
    })
    let cpu
    const sampler = setInterval(async () => {
      cpu = (await cpuSecondsOf(child.pid)) ?? cpu
    }, 50)
    child.on("error", reject)
    child.on("exit", (code) => {
      clearInterval(sampler)
      if (code !== 0) reject(new Error(`handWrittenBulk.mjs exited with ${code}`))
      else resolve({ seconds: (performance.now() - started) / 1000, cpu })
    })
  })

/** CPU microseconds a row, or `undefined` when /proc could not tell. */
const perRow = (seconds, rows) => (seconds === undefined ? undefined : (seconds * 1e6) / rows)

export const cli = async (fake, { sizes, fakeSeconds }) => {
  const fakeUrl = fake.url
  const results = {}
  for (const rows of sizes) {
    const path = join(tmpdir(), `ringpool-bench-${rows}.ndjson`)
    await writeRows(path, rows)
    try {
      results[rows] = {}
      for (const how of ["bin", "node"]) {
        // The fake's own rate right before each run: the ceiling of this run, on the machine as it is now.
        // The CPU each side spends on a row says which one bounds the run.
        const alone = await cpuDuring([fake.child.pid], () => fakeServerAlone(fakeUrl, { seconds: fakeSeconds }))
        const { result: run, seconds: fakeCpu } = await cpuDuring([fake.child.pid], () => bulk(path, fakeUrl, how))
        results[rows][how] = {
          ...run,
          rowsPerSecond: rows / run.seconds,
          fakeRowsPerSecond: alone.result.rowsPerSecond,
          micros: {
            cli: perRow(run.cpu, rows),
            fake: perRow(fakeCpu[0], rows),
            fakeAlone: perRow(alone.seconds[0], alone.result.rows)
          }
        }
      }
      // The ceiling: a hand-written client that only parses, sends and prints, next to the fake alone again.
      const aloneAgain = await fakeServerAlone(fakeUrl, { seconds: fakeSeconds })
      const hand = await handWritten(path, fakeUrl)
      results[rows].handWritten = {
        rowsPerSecond: rows / hand.seconds,
        fakeRowsPerSecond: aloneAgain.rowsPerSecond,
        micros: perRow(hand.cpu, rows)
      }
      // The CLI's own share: `--dry-run` reads, checks and writes every row the same way and sends nothing.
      const dry = await bulk(path, fakeUrl, "node", ["--dry-run"])
      results[rows].dryRun = { rowsPerSecond: rows / dry.seconds, micros: perRow(dry.cpu, rows) }
    } finally {
      await rm(path, { force: true })
    }
  }
  return results
}

export const cliSuite = async ({ quick, size, fake, verdictOf, fixed }) => {
  const [small, large] = size.cliSizes
  const times = startup(fake.url, { rounds: quick ? 7 : 21 })
  const files = await cli(fake, { sizes: size.cliSizes, fakeSeconds: quick ? 1 : 3 })
  const mb = (bytes) => `${fixed(bytes / 1024 / 1024)} MB`
  const ms = (value) => `${fixed(value, 1)} ms`
  const startRows = ["help", "allocate"].map((name) => ({
    benchmark: `ringpool ${name === "help" ? "--help" : "allocate (against the fake)"} start-up`,
    figure: `${ms(times[name])} vs ${ms(times.node)} for node -e 0 (${fixed(times[name] / times.node, 2)}x; medians of alternating runs)`,
    target: "<= 2.5x node -e 0",
    verdict: verdictOf(times[name] <= 2.5 * times.node)
  }))
  const memoryRows = ["bin", "node"].map((how) => {
    const [a, b] = [files[small][how], files[large][how]]
    return {
      benchmark: `ringpool bulk memory, ${fixed(small)} vs ${fixed(large)} rows (${how === "bin" ? "through the bin" : "node dist/bin.js, no flags"})`,
      figure: `peak RSS ${mb(b.peak)} vs ${mb(a.peak)} (${fixed(b.peak / a.peak, 2)}x)`,
      target: "peak < 250 MB and <= 1.3x the smaller file's",
      verdict: verdictOf(b.peak < 250 * 1024 * 1024 && b.peak <= 1.3 * a.peak)
    }
  })
  const throughputRows = ["bin", "node"].map((how) => {
    const run = files[large][how]
    const { cli, fake, fakeAlone } = run.micros
    const cpu = [cli, fake, fakeAlone].includes(undefined)
      ? ""
      : `; CPU a row: the CLI ${fixed(cli, 2)} µs, the fake ${fixed(fake, 2)} µs in this run and ${fixed(fakeAlone, 2)} µs alone`
    const dry = files[large].dryRun
    const ownShare =
      how === "node" && dry.micros !== undefined
        ? `; the same file with --dry-run (read, checked, masked and written; nothing sent) ${fixed(dry.rowsPerSecond)} rows/s, ${fixed(dry.micros, 2)} µs a row`
        : ""
    const hand = files[large].handWritten
    const ceiling =
      how === "bin"
        ? `; the ceiling, a hand-written client with no checks (tooling/bench/handWrittenBulk.mjs: parse, send, print) ${fixed(hand.rowsPerSecond)} rows/s vs ${fixed(hand.fakeRowsPerSecond)} for the fake alone just before (${fixed((100 * hand.rowsPerSecond) / hand.fakeRowsPerSecond)}%${hand.micros === undefined ? "" : `, ${fixed(hand.micros, 2)} µs a row`})`
        : ""
    return {
      benchmark: `ringpool bulk throughput, ${fixed(large)} NDJSON rows (${how === "bin" ? "through the bin" : "node dist/bin.js"})`,
      figure: `${fixed(run.rowsPerSecond)} rows/s vs ${fixed(run.fakeRowsPerSecond)} rows/s for the fake alone just before (${fixed((100 * run.rowsPerSecond) / run.fakeRowsPerSecond)}%)${cpu}${ownShare}${ceiling}`,
      target: ">= 80% of the fake-alone rate",
      verdict: verdictOf(run.rowsPerSecond >= 0.8 * run.fakeRowsPerSecond)
    }
  })
  return [...startRows, ...throughputRows, ...memoryRows]
}
