/**
 * The counts of a bulk run, kept from the result rows themselves (so that lines that were never sent, such as
 * malformed ones, are counted too), and the summary printed on stderr at the end.
 *
 * A run's ledger records its tally (`toRecord`), so that a resumed run counts on from there (`fromRecord`).
 * Error classes come from the service: at most `maxNames` distinct ones are kept by name, the rest as `other`,
 * so that a hostile service cannot grow the tally (or the ledger) without bound.
 */
import type { Outcome, ResultRow } from "../output/ResultRow.ts"

export interface Tally {
  rows: number
  /** Rows that got a number, overflow numbers included. */
  allocated: number
  overflow: number
  /** Dry run: rows that would be sent. */
  valid: number
  /** Rows the service answered with an error row, by `error_class`. */
  readonly rejected: Map<string, number>
  /** Rows with no answer of their own (or, in a dry run, invalid), by reason. */
  readonly failed: Map<string, number>
}

export const make = (): Tally => ({
  rows: 0,
  allocated: 0,
  overflow: 0,
  valid: 0,
  rejected: new Map(),
  failed: new Map()
})

const maxNames = 32

const bump = (counts: Map<string, number>, name: string, n = 1) => {
  const key = counts.has(name) || counts.size < maxNames ? name : "other"
  counts.set(key, (counts.get(key) ?? 0) + n)
}

/** The tally as JSON-ready data, for the ledger. */
export interface TallyRecord {
  readonly rows: number
  readonly allocated: number
  readonly overflow: number
  readonly valid: number
  readonly rejected: ReadonlyArray<readonly [string, number]>
  readonly failed: ReadonlyArray<readonly [string, number]>
}

export const toRecord = (tally: Tally): TallyRecord => ({
  rows: tally.rows,
  allocated: tally.allocated,
  overflow: tally.overflow,
  valid: tally.valid,
  rejected: [...tally.rejected],
  failed: [...tally.failed]
})

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0

const isCounts = (value: unknown): value is ReadonlyArray<readonly [string, number]> =>
  Array.isArray(value) &&
  value.every((entry) => Array.isArray(entry) && typeof entry[0] === "string" && isCount(entry[1]))

/** The tally a ledger recorded, or `undefined` when the record is not one. */
export const fromRecord = (value: unknown): Tally | undefined => {
  const record = value as Partial<TallyRecord> | null
  if (record === null || typeof record !== "object") return undefined
  const { rows, allocated, overflow, valid, rejected, failed } = record
  if (!isCount(rows) || !isCount(allocated) || !isCount(overflow) || !isCount(valid)) return undefined
  if (!isCounts(rejected) || !isCounts(failed)) return undefined
  const tally: Tally = { rows, allocated, overflow, valid, rejected: new Map(), failed: new Map() }
  for (const [name, n] of rejected) bump(tally.rejected, name, n)
  for (const [name, n] of failed) bump(tally.failed, name, n)
  return tally
}

/** Counts one row, from the fields every output format keeps. */
export const add = (
  tally: Tally,
  row: {
    readonly outcome: Outcome
    readonly overflow?: boolean | undefined
    readonly reason?: string | undefined
    readonly error_class?: string | undefined
  }
): void => {
  tally.rows++
  switch (row.outcome) {
    case "allocated":
      tally.allocated++
      if (row.overflow === true) tally.overflow++
      return
    case "valid":
      tally.valid++
      return
    case "rejected":
      bump(tally.rejected, row.error_class || "Unknown")
      return
    default:
      bump(tally.failed, row.reason || "Unknown")
  }
}

export const addAll = (tally: Tally, rows: ReadonlyArray<ResultRow>): void => {
  for (const row of rows) add(tally, row)
}

const sum = (counts: Map<string, number>) => {
  let total = 0
  for (const n of counts.values()) total += n
  return total
}

export const unsuccessful = (tally: Tally): number => sum(tally.rejected) + sum(tally.failed)

/** `1 row`, `2 rows`. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`

const breakdown = (counts: Map<string, number>) =>
  counts.size === 0
    ? ""
    : ` (${[...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, n]) => `${name} ${n}`)
        .join(", ")})`

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export interface Run {
  /** Rows handled by this process (the tally may include an earlier run's). */
  readonly rows: number
  readonly elapsedMs: number
  readonly bulkCalls: number
  readonly processingTimeMs: number
  readonly dryRun: boolean
  /** A resumed run: the rows the output held before, where, and how many in-flight rows were sent again. */
  readonly resumed?: { readonly rowsBefore: number; readonly output: string; readonly resent: number } | undefined
}

/** The summary, several lines, for stderr. */
export const render = (tally: Tally, run: Run): string => {
  const rate = run.elapsedMs > 0 && run.rows > 0 ? ` (${Math.round((run.rows * 1000) / run.elapsedMs)} rows/s)` : ""
  const resumed = run.resumed
  const head = `ringpool bulk${run.dryRun ? " --dry-run" : ""}: ${count(run.rows, "row")}${run.dryRun ? " checked" : ""} in ${seconds(run.elapsedMs)}${rate}`
  const lines = [
    resumed === undefined
      ? head
      : `${head}, after the ${count(resumed.rowsBefore, "result")} ${resumed.output} already held (${tally.rows} in all)`
  ]
  if (resumed !== undefined && resumed.resent > 0) {
    lines.push(
      `  resent     ${count(resumed.resent, "row")} that the earlier run had sent when it stopped, without writing their results: each may hold a second number`
    )
  }
  if (run.dryRun) {
    lines.push(`  valid      ${tally.valid}`, `  invalid    ${sum(tally.failed)}${breakdown(tally.failed)}`)
    lines.push("  nothing was sent")
  } else {
    lines.push(
      `  allocated  ${tally.allocated}${tally.overflow > 0 ? ` (${tally.overflow} overflow)` : ""}`,
      `  rejected   ${sum(tally.rejected)}${breakdown(tally.rejected)}`,
      `  failed     ${sum(tally.failed)}${breakdown(tally.failed)}`,
      `  server     ${run.processingTimeMs.toFixed(1)} ms processing time in ${count(run.bulkCalls, "bulk call")}`
    )
  }
  return lines.join("\n")
}
