/**
 * What `ringpool demo` does: allocates a few sample rows against an in-process fake of the service (the testkit's,
 * through the same core client the other commands use): no account, no configuration, no network.
 *
 * The rows are chosen to show the three outcomes a user will meet: numbers handed out, the overflow number once a
 * tiny pool is full, and a row the service rejects (a wrong key). That rejection is part of the show, so the demo
 * exits 0 when all of it happened as designed, and 1 if it did not (which would be a bug to report).
 */
import { type AllocationRequest, type Outcome, RingPoolClient } from "@ringpool/core"
import { FakeRingPool } from "@ringpool/testkit"
import { Effect } from "effect"
import * as CliFailure from "../CliFailure.ts"
import * as Stdout from "../output/Stdout.ts"

const pools = [
  { id: "1001", key: "demo-key", size: 5 },
  { id: "1002", key: "demo-key", size: 1 }
]

interface Sample {
  readonly request: AllocationRequest.AllocationRequest
  readonly note: string
  readonly expect: "allocated" | "overflow" | "rejected"
}

const samples: ReadonlyArray<Sample> = [
  {
    request: { ringPoolId: "1001", ringPoolKey: "demo-key", params: { m1: "autos", m2: "ford" }, requestId: "A1" },
    note: "a number from pool 1001",
    expect: "allocated"
  },
  {
    request: { ringPoolId: "1001", ringPoolKey: "demo-key", params: { m1: "antiques" }, requestId: "A2" },
    note: "another visit, another number",
    expect: "allocated"
  },
  {
    request: { ringPoolId: "1002", ringPoolKey: "demo-key", params: { m1: "electronics" }, requestId: "B1" },
    note: "pool 1002 holds one number: this row takes it",
    expect: "allocated"
  },
  {
    request: { ringPoolId: "1002", ringPoolKey: "demo-key", params: { m1: "garden" }, requestId: "B2" },
    note: "pool 1002 is full: the shared overflow number (calls to it cannot be told apart)",
    expect: "overflow"
  },
  {
    request: { ringPoolId: "1001", ringPoolKey: "not-the-key", params: { m1: "books" }, requestId: "C1" },
    note: "a wrong key: the service rejects this row alone",
    expect: "rejected"
  }
]

const paramsText = (params: AllocationRequest.Params) =>
  (Array.isArray(params) ? params : Object.entries(params)).map(([name, value]) => `${name}=${value}`).join(" ")

const outcomeOf = (outcome: Outcome.Outcome) =>
  outcome.ok
    ? outcome.allocation.overflow
      ? "overflow"
      : "allocated"
    : outcome.error.reason._tag === "Rejected"
      ? "rejected"
      : "failed"

const numberOf = (outcome: Outcome.Outcome) =>
  outcome.ok
    ? outcome.allocation.promoNumberFormatted
    : outcome.error.reason._tag === "Rejected"
      ? outcome.error.reason.errorClass
      : outcome.error.reason._tag

const table = (rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  return rows.map((row) => `  ${row.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")}`.trimEnd()).join("\n")
}

/**
 * How to run the next commands as written: from inside an npm project (`npm run demo`, `npx ringpool demo`) the
 * command is not on PATH, and `npx ringpool` finds it; after `npm install --global` it is `ringpool`.
 */
const ringpool = process.env.npm_command === undefined ? "ringpool" : "npx ringpool"

export const run = async (): Promise<number> => {
  const { outcomes, stats } = await Effect.runPromise(
    Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      const outcomes = yield* client.allocateAll(samples.map((sample) => sample.request))
      return { outcomes, stats: yield* client.stats }
    }).pipe(
      Effect.provide(FakeRingPool.layerClient({ pools })),
      Effect.mapError((error) => CliFailure.usage(`the demo could not start: ${error.message}`))
    )
  )
  const rows = samples.map((sample, i) => {
    const outcome = outcomes[i]!
    return [
      sample.request.requestId ?? "",
      String(sample.request.ringPoolId),
      paramsText(sample.request.params),
      numberOf(outcome),
      outcomeOf(outcome),
      sample.note
    ]
  })
  const rejected = outcomes.find((outcome) => !outcome.ok)
  const calls = `${stats.bulkCalls} bulk call${stats.bulkCalls === 1 ? "" : "s"}`
  const text = [
    `ringpool demo: ${samples.length} rows against a built-in fake of the Bulk RingPool service (no account, no network)`,
    "",
    table([["row", "pool", "parameters", "number", "outcome", ""], ...rows]),
    "",
    ...(rejected !== undefined && !rejected.ok ? [`  The rejected row's message: ${rejected.error.message}`, ""] : []),
    `All ${samples.length} rows went in ${calls}; the fake took ${stats.processingTimeMs.toFixed(1)} ms.`,
    `Next: ${ringpool} fake-server (the same fake on a port), then ${ringpool} allocate --help and ${ringpool} bulk --help.`,
    ""
  ].join("\n")
  await Stdout.write(text)
  const asDesigned = samples.every((sample, i) => outcomeOf(outcomes[i]!) === sample.expect)
  if (!asDesigned) throw CliFailure.usage("the demo did not go as designed: please report this as a bug")
  return 0
}
