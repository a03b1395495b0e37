/**
 * What the proxy counts of its own, beside what the core counts of its bulk calls, and `/metrics`: every metric of
 * the process in Prometheus text, rendered by Effect's `PrometheusMetrics`.
 *
 * The core records rows by outcome (`ringpool_rows_total`), rows per bulk call (`ringpool_batch_size`, whose
 * count is the number of bulk calls), the round trip of a bulk call (`ringpool_round_trip_ms`) and the service's
 * `processing-time` (`ringpool_processing_time_ms`) with Effect's Metric API in the default registry, which the
 * proxy reads here. Labels are routes, statuses, outcomes and error classes: never a key, a pool id or a parameter.
 *
 * @since 0.1.0
 */
import { Context, Metric } from "effect"
import { PrometheusMetrics } from "effect/observability"

/**
 * The route label of a request.
 *
 * @since 0.1.0
 * @category models
 */
export type Route =
  | "allocate_number.json"
  | "allocate_number.xml"
  | "allocate_number.csv"
  | "bulk.json"
  | "healthz"
  | "metrics"
  | "other"

const requests = Metric.counter("ringpool_proxy_requests_total", {
  description: "Requests the proxy answered, by route and HTTP status",
  incremental: true
})

const duration = Metric.histogram("ringpool_proxy_request_duration_ms", {
  description: "Time from a request's arrival to its answer, by route",
  boundaries: [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
})

/**
 * @since 0.1.0
 * @category models
 */
export class ProxyMetrics {
  // One attributed metric per label set, made once: `withAttributes` builds a new series key each time.
  private readonly counters = new Map<string, Metric.Metric<number, unknown>>()
  private readonly histograms = new Map<string, Metric.Metric<number, unknown>>()

  /** `context` holds the registry: the default one, shared with the core, unless a caller provides another. */
  constructor(private readonly context: Context.Context<never> = Context.empty()) {}

  /** Counts one answered request. Plain code: it runs for every request. */
  record(route: Route, status: number, durationMs: number): void {
    const key = `${route} ${status}`
    let counter = this.counters.get(key)
    if (counter === undefined) {
      counter = Metric.withAttributes(requests, { route, status: String(status) })
      this.counters.set(key, counter)
    }
    counter.updateUnsafe(1, this.context)
    let histogram = this.histograms.get(route)
    if (histogram === undefined) {
      histogram = Metric.withAttributes(duration, { route })
      this.histograms.set(route, histogram)
    }
    histogram.updateUnsafe(durationMs, this.context)
  }

  /** Every metric of the registry, in the Prometheus text format. */
  render(): string {
    return PrometheusMetrics.formatUnsafe(this.context)
  }
}

/**
 * The content type of the Prometheus text format.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"
