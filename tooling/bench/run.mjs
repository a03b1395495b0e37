#!/usr/bin/env node
// `pnpm bench`: every benchmark of the toolkit on this machine, side by side in one run, printed as a table and
// written to BENCHMARKS.md with the machine, Node version and date. Ratios are what to read: the machines are
// shared and noisy, so absolute figures move from run to run while ratios measured together hold.
// `--quick` runs smaller counts (a smoke run, not figures to quote).
import { readFile, writeFile } from "node:fs/promises"
import { cpus, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import { cliSuite } from "./cli.mjs"
import { coreSuite } from "./core.mjs"
import { fakeSuite } from "./fakeServerAlone.mjs"
import { fixed } from "./measure.mjs"
import { middlewareSuite } from "./middleware.mjs"
import { startProcess } from "./processes.mjs"
import { proxySuite } from "./proxy.mjs"

const quick = process.argv.includes("--quick")
const size = {
  total: quick ? 10_000 : 100_000,
  callers: 256,
  idleCount: quick ? 200 : 2_000,
  fakeSeconds: quick ? 2 : 5,
  pageSeconds: quick ? 3 : 10,
  cliSizes: quick ? [10_000, 100_000] : [100_000, 1_000_000]
}

// Each suite is a module of its own: `async (context) => Array<{ benchmark, figure, target, verdict }>`, where the
// context holds `quick`, `size`, `fake` (the fake in a process of its own: `{ url }`), `verdictOf` and `fixed`.
const suites = [coreSuite, fakeSuite, middlewareSuite, cliSuite, proxySuite]

const rows = []
const verdictOf = (met) => (met ? "met" : "MISSED")

const fake = await startProcess(fileURLToPath(new URL("./fakeServer.mjs", import.meta.url)))
try {
  for (const suite of suites) {
    for (const row of await suite({ quick, size, fake, verdictOf, fixed })) {
      row.benchmark = `${rows.length + 1}. ${row.benchmark}`
      rows.push(row)
      console.error(`${row.benchmark}: ${row.figure}${row.target ? ` (target ${row.target}: ${row.verdict})` : ""}`)
    }
  }
} finally {
  await fake.stop()
}

const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${fixed(totalmem() / 1024 ** 3)} GiB`
const header = [
  "# Benchmarks",
  "",
  `Run with \`pnpm bench\`${quick ? " --quick (smaller counts: a smoke run)" : ""} on ${new Date().toISOString().slice(0, 10)}.`,
  `Machine: ${machine}. Node ${process.version}. Unless a row says otherwise, the fake runs in a process of its own on loopback.`,
  "Figures measured side by side in one run; on a shared machine read the ratios, not the absolute figures.",
  "",
  "| benchmark | figures | target | verdict |",
  "|---|---|---|---|"
]
const table = rows.map((r) => `| ${r.benchmark} | ${r.figure} | ${r.target} | ${r.verdict} |`)
// What the profiles say about the misses: hand-written beside the suites, kept with the figures they explain.
const notes = ["", (await readFile(new URL("./notes.md", import.meta.url), "utf8")).trim()]
const text = `${[...header, ...table, ...notes].join("\n")}\n`
console.log(text)
if (!quick) await writeFile(new URL("../../BENCHMARKS.md", import.meta.url), text)
