/**
 * The transport over any Effect `HttpClient` (fetch, the testkit's in-process fake, a user's own): one fiber per bulk
 * call (not per row), run on the context the client was built in, so a `TestClock` drives its time limit.
 */
import { Cause, Context, Effect, Exit, Fiber, Option, Stream } from "effect"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import * as RingPoolError from "../RingPoolError.ts"
import {
  type BulkAnswer,
  type BulkTransport,
  type CallFailure,
  processingTimeOf,
  type TransportLimits,
  tooLarge,
  transportFailure
} from "./transport.ts"

const always = () => true

/** The body's text, refusing more than `maxBytes`: trusted `content-length` first, then the bytes as they arrive. */
const boundedText = (
  response: HttpClientResponse.HttpClientResponse,
  declared: number,
  maxBytes: number
): Effect.Effect<string, CallFailure> => {
  if (declared > maxBytes) return Effect.fail(tooLarge(maxBytes, declared))
  // A declared length frames the body: no more than that is read.
  if (Number.isFinite(declared)) return Effect.mapError(response.text, (cause) => transportFailure(cause))
  const decoder = new TextDecoder()
  return response.stream.pipe(
    Stream.mapError((cause): CallFailure => transportFailure(cause)),
    Stream.runFoldEffect(
      () => ({ text: "", size: 0 }),
      (acc, chunk: Uint8Array) => {
        acc.size += chunk.length
        if (acc.size > maxBytes) return Effect.fail(tooLarge(maxBytes))
        acc.text += decoder.decode(chunk, { stream: true })
        return Effect.succeed(acc)
      }
    ),
    Effect.map((acc) => acc.text + decoder.decode())
  )
}

export const make = (
  context: Context.Context<HttpClient.HttpClient>,
  limits: Pick<TransportLimits, "bulkUrl" | "timeoutMs" | "maxResponseBytes">
): BulkTransport => {
  const http = Context.get(context, HttpClient.HttpClient)
  const timeoutReason = new RingPoolError.Timeout({ timeoutMs: limits.timeoutMs })
  const closedReason = transportFailure(undefined, "the client was closed")
  // Shaped once: our own span per bulk call says what matters; the HTTP client's span per request would repeat it,
  // and its propagation headers would send our trace ids to the vendor.
  const run = Effect.runForkWith(Context.add(context, HttpClient.TracerDisabledWhen, always))
  const request = HttpClientRequest.post(limits.bulkUrl)
  const open = new Set<Fiber.Fiber<unknown, unknown>>()
  let closed = false

  const post = (body: string): Effect.Effect<BulkAnswer, CallFailure> =>
    http.execute(HttpClientRequest.bodyText(request, body, "application/json")).pipe(
      Effect.mapError((error) => transportFailure((error as { reason?: { cause?: unknown } }).reason?.cause ?? error)),
      Effect.flatMap((response) => {
        // Read once: the getter converts every header each time.
        const headers = response.headers
        return Effect.map(
          boundedText(response, Number(headers["content-length"]), limits.maxResponseBytes),
          (text): BulkAnswer => ({
            status: response.status,
            text,
            processingTimeMs: processingTimeOf(headers["processing-time"])
          })
        )
      }),
      Effect.timeoutOrElse({ duration: limits.timeoutMs, orElse: () => Effect.fail(timeoutReason) })
    )

  return {
    send: (body, done) => {
      if (closed) {
        done(closedReason)
        return
      }
      const fiber = run(post(body))
      open.add(fiber)
      fiber.addObserver((exit) => {
        open.delete(fiber)
        if (Exit.isSuccess(exit)) return done(exit.value)
        const failure = Cause.findErrorOption(exit.cause)
        // Not a failure of ours: interrupted by `close`, or a defect in the HTTP client.
        done(
          Option.isSome(failure)
            ? failure.value
            : closed
              ? closedReason
              : transportFailure(undefined, "the HTTP client stopped unexpectedly")
        )
      })
    },
    close: async () => {
      closed = true
      await Effect.runPromise(Fiber.interruptAll(open))
    }
  }
}
