/**
 * The counts of a bulk run, kept from the result rows themselves (so that lines that were never sent, such as
 * malformed ones, are counted too), and the summary printed on stderr at the end.
 */
import type { RingPoolClient } from "@ringpool/core"
import type { ResultRow } from "../output/ResultRow.ts"

export interface Tally {
  rows: number
  /** Rows that got a number, overflow numbers included. */
  allocated: number
  overflow: number
  /** Rows the service answered with an error row, by `error_class`. */
  readonly rejected: Map<string, number>
  /** Rows with no answer of their own, by reason. */
  readonly failed: Map<string, number>
}

export const make = (): Tally => ({ rows: 0, allocated: 0, overflow: 0, rejected: new Map(), failed: new Map() })

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1)

export const add = (tally: Tally, row: ResultRow): void => {
  tally.rows++
  if (row.outcome === "allocated") {
    tally.allocated++
    if (row.overflow === true) tally.overflow++
  } else if (row.outcome === "rejected") bump(tally.rejected, row.error_class ?? "Unknown")
  else bump(tally.failed, row.reason ?? "Unknown")
}

const sum = (counts: Map<string, number>) => {
  let total = 0
  for (const n of counts.values()) total += n
  return total
}

export const unsuccessful = (tally: Tally): number => sum(tally.rejected) + sum(tally.failed)

const breakdown = (counts: Map<string, number>) =>
  counts.size === 0
    ? ""
    : ` (${[...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, n]) => `${name} ${n}`)
        .join(", ")})`

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The summary, several lines, for stderr. */
export const render = (tally: Tally, stats: RingPoolClient.ClientStats, elapsedMs: number): string => {
  const rate = elapsedMs > 0 ? ` (${Math.round((tally.rows * 1000) / elapsedMs)} rows/s)` : ""
  return [
    `ringpool bulk: ${tally.rows} rows in ${seconds(elapsedMs)}${rate}`,
    `  allocated  ${tally.allocated}${tally.overflow > 0 ? ` (${tally.overflow} overflow)` : ""}`,
    `  rejected   ${sum(tally.rejected)}${breakdown(tally.rejected)}`,
    `  failed     ${sum(tally.failed)}${breakdown(tally.failed)}`,
    `  server     ${stats.processingTimeMs.toFixed(1)} ms processing time in ${stats.bulkCalls} bulk calls`
  ].join("\n")
}
