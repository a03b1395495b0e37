/**
 * OTLP export of the proxy's traces and of every metric of the process, on Effect's own `effect/observability`,
 * switched on by the standard OpenTelemetry variables: `OTEL_EXPORTER_OTLP_ENDPOINT` (or a signal's own
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `..._METRICS_ENDPOINT`), with `OTEL_EXPORTER_OTLP_PROTOCOL`
 * (`http/protobuf`, the default, or `http/json`), `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_SDK_DISABLED`.
 *
 * Decided here: an endpoint alone turns export on (the OpenTelemetry default for `OTEL_TRACES_EXPORTER` and
 * `OTEL_METRICS_EXPORTER` is `otlp`; Effect's `layerFromConfig` wants it spelt out, so the proxy supplies it);
 * `grpc` is refused with a message, since Effect exports over HTTP only. Without an endpoint nothing is built and
 * no span is made: the proxy pays nothing for telemetry it does not export.
 *
 * @since 0.1.0
 */
import { ConfigProvider, Context, Effect, Exit, Layer, Option, Scope, Tracer } from "effect"
import { FetchHttpClient } from "effect/http"
import { OtlpMetrics, OtlpSerialization, OtlpTracer } from "effect/observability"

/**
 * @since 0.1.0
 * @category models
 */
export interface Telemetry {
  /** The OTLP tracer, when traces are exported. */
  readonly tracer: Tracer.Tracer | undefined
  /** The exporters' context, for the core client's own spans and metrics (empty when nothing is exported). */
  readonly context: Context.Context<never>
  /** Flushes what is buffered and stops the exporters. */
  readonly close: () => Promise<void>
}

/**
 * The most of a collector's answer that is read. OTLP answers are a few bytes (a partial-success note at most), and
 * Effect's exporter reads the whole answer: an endless one would grow the proxy's memory without end.
 */
const maxCollectorAnswerBytes = 64 * 1024

/** Answers that carry no body, which a `Response` may not be given one for. */
const nullBodyStatuses = new Set([101, 204, 205, 304])

/** `fetch`, with every answer's body cut off past `maxCollectorAnswerBytes` (it then fails, and the export with it). */
const boundedFetch: typeof globalThis.fetch = async (input, init) => {
  const answer = await globalThis.fetch(input, init)
  if (answer.body === null || nullBodyStatuses.has(answer.status)) return answer
  const reader = answer.body.getReader()
  let read = 0
  const body = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      const chunk = await reader.read()
      if (chunk.done) return controller.close()
      read += chunk.value.byteLength
      if (read > maxCollectorAnswerBytes) {
        controller.error(new Error(`the collector's answer is longer than ${maxCollectorAnswerBytes} bytes`))
        await reader.cancel()
        return
      }
      controller.enqueue(chunk.value)
    },
    cancel: (reason) => reader.cancel(reason)
  })
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers })
}

const inert: Telemetry = { tracer: undefined, context: Context.empty(), close: () => Promise.resolve() }

const defaults = ConfigProvider.fromEnvRecord({ OTEL_TRACES_EXPORTER: "otlp", OTEL_METRICS_EXPORTER: "otlp" })

const serializationOf = (protocol: string | undefined) => {
  if (protocol === undefined || protocol === "" || protocol === "http/protobuf") return OtlpSerialization.layerProtobuf
  if (protocol === "http/json") return OtlpSerialization.layerJson
  throw new TypeError(
    `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf (the default) or http/json`
  )
}

/**
 * Starts the exporters the environment asks for (none when it names no endpoint). A bad setting throws a
 * `TypeError` naming the variable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (
  env: Readonly<Record<string, string | undefined>> = process.env,
  serviceName = "ringpool-proxy"
): Promise<Telemetry> => {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === "true") return inert
  const traces = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  const metrics = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)
  if (!traces && !metrics) return inert
  // The variable wins over the default name, as OpenTelemetry's SDKs do.
  const resource = env.OTEL_SERVICE_NAME ? {} : { serviceName }
  const layer = Layer.mergeAll(
    traces ? OtlpTracer.layerFromConfig({ resource }) : Layer.empty,
    metrics ? OtlpMetrics.layerFromConfig({ resource }) : Layer.empty
  ).pipe(
    Layer.provide(serializationOf(env.OTEL_EXPORTER_OTLP_PROTOCOL)),
    Layer.provide(FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, boundedFetch)))),
    Layer.provide(ConfigProvider.layer(ConfigProvider.orElse(ConfigProvider.fromEnvRecord({ ...env }), defaults)))
  )
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return {
    tracer: traces ? Context.get(context, Tracer.Tracer) : undefined,
    context: context as Context.Context<never>,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

// W3C trace context: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
const traceparent = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/

const nowNanos = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000)) * 1_000n

/**
 * A server span for one request, a child of the caller's trace when it sent a `traceparent`. Plain code, no fiber:
 * it runs for every request.
 *
 * @since 0.1.0
 * @category spans
 */
export const requestSpan = (tracer: Tracer.Tracer, name: string, parentHeader: string | undefined): Tracer.Span => {
  const parent = parentHeader === undefined ? null : traceparent.exec(parentHeader)
  // The caller's sampling decision holds for its trace.
  const sampled = parent === null || (Number.parseInt(parent[3]!, 16) & 1) === 1
  return tracer.span({
    name,
    parent:
      parent === null
        ? Option.none()
        : Option.some(Tracer.externalSpan({ traceId: parent[1]!, spanId: parent[2]!, sampled })),
    annotations: Context.empty(),
    links: [],
    startTime: nowNanos(),
    kind: "server",
    root: parent === null,
    sampled
  })
}

/**
 * Ends a request's span with what it answered. A failure is recorded by its error class alone: messages can quote
 * a pool's id, and spans leave the machine.
 *
 * @since 0.1.0
 * @category spans
 */
export const endSpan = (span: Tracer.Span, status: number, errorClass: string | undefined): void => {
  span.attribute("http.response.status_code", status)
  if (errorClass !== undefined) span.attribute("ringpool.error_class", errorClass)
  span.end(nowNanos(), errorClass === undefined ? Exit.void : Exit.fail(errorClass))
}
