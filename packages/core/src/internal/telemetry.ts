/**
 * What the client records per bulk call (never per row): the plain `ClientStats`, Effect's metrics, and a span.
 *
 * Recorded without running an Effect: metrics through `updateUnsafe` on the context the client was built in, and
 * the span straight from that context's tracer, only when a real tracer is installed (Effect's default native
 * tracer exports nothing, so making spans for it would be work no one sees).
 */
import { Clock, Context, Exit, Metric, Option, References, Tracer } from "effect"
import type { ClientStats } from "../ClientStats.ts"
import { isAllocation, type RowResult } from "../Outcome.ts"
import type { Reason } from "../RingPoolError.ts"

const rows = Metric.counter("ringpool_rows_total", { description: "Rows by outcome", incremental: true })
const bulkCalls = Metric.counter("ringpool_bulk_calls_total", { description: "Bulk calls made", incremental: true })
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

/**
 * The error classes counted by name, at most this many per process; the service's classes are a handful, and a
 * server that makes up a new one per row would otherwise grow a series per row (in `/metrics`) and `stats()`.
 */
const errorClassLimit = 50
const errorClasses = new Set<string>()
/** A rejected row's class as counted: its own while fewer than the limit were seen, else `other`. */
const errorClassLabel = (errorClass: string): string => {
  if (errorClasses.has(errorClass)) return errorClass
  if (errorClasses.size >= errorClassLimit) return "other"
  errorClasses.add(errorClass)
  return errorClass
}

const add = (record: Record<string, number>, key: string, n: number) => {
  record[key] = (record[key] ?? 0) + n
}

/** One finished bulk call, as the telemetry sees it. */
export interface CallRecord {
  readonly results: ReadonlyArray<RowResult>
  readonly startedNanos: bigint
  readonly roundTripMs: number
  readonly status: number | undefined
  readonly processingTimeMs: number | undefined
  /** The reason the whole call failed, if it did. */
  readonly failure: Reason | undefined
}

export interface Telemetry {
  readonly stats: ClientStats
  readonly nowNanos: () => bigint
  readonly record: (call: CallRecord) => void
}

export const make = (context: Context.Context<never>, stats: ClientStats): Telemetry => {
  const clock = Context.getUnsafe(context, Clock.Clock)
  const tracer = Context.getUnsafe(context, Tracer.Tracer)
  const tracing = tracer !== Tracer.nativeTracer && Context.getUnsafe(context, References.TracerEnabled)
  const parent = Context.getOption(context, Tracer.ParentSpan)
  const nowNanos = () => clock.currentTimeNanosUnsafe()

  const count = (results: ReadonlyArray<RowResult>) => {
    // Rows of one call mostly share one outcome: count them first, update each counter once.
    const counts: Record<string, number> = {}
    for (const result of results) {
      if (isAllocation(result)) add(counts, result.overflow ? "overflow" : "allocated", 1)
      else if (result.reason._tag === "Rejected")
        add(counts, `rejected:${errorClassLabel(result.reason.errorClass)}`, 1)
      else add(counts, `failed:${result.reason._tag}`, 1)
    }
    for (const key in counts) {
      const n = counts[key]!
      const colon = key.indexOf(":")
      if (colon === -1) {
        if (key === "overflow") stats.overflow += n
        else stats.allocated += n
        rowsCounter(key, { outcome: key }).updateUnsafe(n, context)
        continue
      }
      const kind = key.slice(0, colon)
      const detail = key.slice(colon + 1)
      add(kind === "rejected" ? stats.rejected : stats.failed, detail, n)
      const attributes =
        kind === "rejected" ? { outcome: kind, error_class: detail } : { outcome: kind, reason: detail }
      rowsCounter(key, attributes).updateUnsafe(n, context)
    }
  }

  const trace = (call: CallRecord) => {
    const span = tracer.span({
      name: "RingPoolClient.bulkCall",
      parent,
      annotations: Context.empty(),
      links: [],
      startTime: call.startedNanos,
      kind: "client",
      root: Option.isNone(parent),
      sampled: true
    })
    span.attribute("ringpool.rows", call.results.length)
    if (call.status !== undefined) span.attribute("http.status", call.status)
    if (call.processingTimeMs !== undefined) span.attribute("ringpool.processing_time_ms", call.processingTimeMs)
    span.end(nowNanos(), call.failure === undefined ? Exit.void : Exit.fail(call.failure))
  }

  return {
    stats,
    nowNanos,
    record: (call) => {
      stats.bulkCalls++
      stats.rows += call.results.length
      if (call.processingTimeMs !== undefined) stats.processingTimeMs += call.processingTimeMs
      count(call.results)
      bulkCalls.updateUnsafe(1, context)
      batchSize.updateUnsafe(call.results.length, context)
      roundTrip.updateUnsafe(call.roundTripMs, context)
      if (call.processingTimeMs !== undefined) processingTime.updateUnsafe(call.processingTimeMs, context)
      if (tracing) trace(call)
    }
  }
}
