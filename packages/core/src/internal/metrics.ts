/**
 * What the client counts, per bulk call (never per row): Effect metrics for exporters, and the same figures as
 * plain numbers (`ClientStats`) for code without a metrics pipeline, such as the CLI's summary.
 */
import { Effect, Metric } from "effect"
import type { Allocation } from "../Allocation.ts"
import type { RingPoolError } from "../RingPoolError.ts"

export interface ClientStats {
  bulkCalls: number
  rows: number
  allocated: number
  overflow: number
  /** Rows the service answered with an error row, by `error_class`. */
  rejected: Record<string, number>
  /** Rows that failed for any other reason, by reason tag. */
  failed: Record<string, number>
  /** Sum of the service's `processing-time` headers, in milliseconds. */
  processingTimeMs: number
}

export const emptyStats = (): ClientStats => ({
  bulkCalls: 0,
  rows: 0,
  allocated: 0,
  overflow: 0,
  rejected: {},
  failed: {},
  processingTimeMs: 0
})

const rows = Metric.counter("ringpool_rows_total", { description: "Rows by outcome", incremental: true })
const batchSize = Metric.histogram("ringpool_batch_size", {
  description: "Rows per bulk call",
  boundaries: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
})
const roundTrip = Metric.histogram("ringpool_round_trip_ms", {
  description: "Round trip of a bulk call, retries included",
  boundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
})
const processingTime = Metric.histogram("ringpool_processing_time_ms", {
  description: "The service's processing-time header of a bulk call",
  boundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000]
})

// One attributed counter per outcome, made once: `withAttributes` builds a new key each time it is called.
const rowCounters = new Map<string, Metric.Metric<number, unknown>>()
const rowsCounter = (key: string, attributes: Record<string, string>) => {
  let counter = rowCounters.get(key)
  if (counter === undefined) {
    counter = Metric.withAttributes(rows, attributes)
    rowCounters.set(key, counter)
  }
  return counter
}

const add = (record: Record<string, number>, key: string, n: number) => {
  record[key] = (record[key] ?? 0) + n
}

/** Counts one bulk call's outcomes into `stats` and the Effect metrics. */
export const recordBulkCall = (
  stats: ClientStats,
  results: ReadonlyArray<Allocation | RingPoolError>,
  roundTripMs: number,
  serverMs: number | undefined
): Effect.Effect<void> => {
  const counts: Record<string, number> = {}
  for (const result of results) {
    if ("promoNumber" in result) add(counts, result.overflow ? "overflow" : "allocated", 1)
    else if (result.reason._tag === "Rejected") add(counts, `rejected:${result.reason.errorClass}`, 1)
    else add(counts, `failed:${result.reason._tag}`, 1)
  }
  stats.bulkCalls++
  stats.rows += results.length
  if (serverMs !== undefined) stats.processingTimeMs += serverMs
  const updates: Array<Effect.Effect<void>> = [
    Metric.update(batchSize, results.length),
    Metric.update(roundTrip, roundTripMs)
  ]
  if (serverMs !== undefined) updates.push(Metric.update(processingTime, serverMs))
  for (const [key, n] of Object.entries(counts)) {
    const colon = key.indexOf(":")
    if (colon === -1) {
      if (key === "overflow") stats.overflow += n
      else stats.allocated += n
      updates.push(Metric.update(rowsCounter(key, { outcome: key }), n))
    } else {
      const kind = key.slice(0, colon)
      const detail = key.slice(colon + 1)
      add(kind === "rejected" ? stats.rejected : stats.failed, detail, n)
      const attributes =
        kind === "rejected" ? { outcome: kind, error_class: detail } : { outcome: kind, reason: detail }
      updates.push(Metric.update(rowsCounter(key, attributes), n))
    }
  }
  return Effect.all(updates, { discard: true })
}
