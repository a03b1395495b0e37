/**
 * An Effect `HttpClient` answered by a fake in-process: no sockets, the same answers as on a port. The body is read
 * up to the fake's `maxRequestBytes`, as the server on a port reads it, and a larger one gets the same 413.
 */
import { type Clock, Duration, Effect, Stream } from "effect"
import { type HttpBody, HttpClient, HttpClientError, type HttpClientRequest, HttpClientResponse } from "effect/http"
import type { Fake } from "../FakeRingPool.ts"
import { bodyTooLarge } from "./bulkCall.ts"

type Body = string | Uint8Array | typeof bodyTooLarge

/** A stream read until its end or until it passes `limit` bytes, whichever comes first: never more is held. */
const streamBytes = (stream: Stream.Stream<Uint8Array, unknown>, limit: number): Effect.Effect<Body, unknown> =>
  Effect.suspend(() => {
    let chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEachWhile(stream, (chunk) =>
      Effect.sync(() => {
        size += chunk.length
        if (size > limit) chunks = []
        else chunks.push(chunk)
        return size <= limit
      })
    ).pipe(
      Effect.map(() => {
        if (size > limit) return bodyTooLarge
        const whole = new Uint8Array(size)
        let at = 0
        for (const chunk of chunks) {
          whole.set(chunk, at)
          at += chunk.length
        }
        return whole
      })
    )
  })

/** The body as the fake takes it; `handle` checks the size of what is already in memory. */
const bodyOf = (body: HttpBody.HttpBody, limit: number): Effect.Effect<Body, unknown> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : String(body.body)
      )
    case "Stream":
      return streamBytes(body.stream, limit)
    case "FormData":
      // A form is not what the bulk API takes: pass a body that is not JSON, which the fake refuses as such.
      return Effect.succeed("[form data]")
  }
}

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown, description?: string) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError(
      description === undefined ? { request, cause } : { request, cause, description }
    )
  })

/**
 * The in-process client. A dropped connection fails with a `TransportError` whose cause has code `ECONNRESET`, as a
 * reset socket does; injected delays wait on the given clock.
 */
export const makeHttpClient = (fake: Fake, clock: Clock.Clock): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    bodyOf(request.body, fake.maxRequestBytes).pipe(
      Effect.mapError((cause) => transportError(request, cause, "could not read the request body")),
      Effect.flatMap((body) => {
        const answer = fake.handle(request.method, url.pathname + url.search, body, clock.currentTimeMillisUnsafe())
        const reply =
          answer._tag === "Drop"
            ? Effect.fail(
                transportError(
                  request,
                  Object.assign(new Error("socket hang up (a drop fault injected by @ringpool/testkit)"), {
                    code: "ECONNRESET"
                  })
                )
              )
            : Effect.succeed(
                HttpClientResponse.fromWeb(
                  request,
                  // The length a server on a port declares too: a client reads a framed body without streaming it.
                  new Response(answer.body, {
                    status: answer.status,
                    headers: { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) }
                  })
                )
              )
        return answer.delayMs > 0 ? Effect.andThen(clock.sleep(Duration.millis(answer.delayMs)), reply) : reply
      })
    )
  )
