/**
 * A stub of the service as an `HttpClient` (no sockets), for tests that shape answers exactly.
 * `numberFor` gives every row a number derived from its own parameters, so a test can tell whose number a row got.
 */
import { Effect, Layer, Result } from "effect"
import { HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import { ApiSuffix } from "../../src/index.ts"

export interface StubCall {
  readonly rows: ReadonlyArray<{ api_suffix: string; request_id?: string }>
}

export type StubAnswer =
  | { readonly status?: number; readonly body: unknown; readonly headers?: Record<string, string> }
  | { readonly fail: "refused" | "reset" }
  | { readonly delayMs: number; readonly answer: StubAnswer }

/** A 10-digit number made from the row's `n` parameter: row n=42 gets 8000000042. */
export const numberFor = (suffix: string): string => {
  const parsed = ApiSuffix.parse(suffix)
  if (Result.isFailure(parsed)) throw new Error(parsed.failure)
  const n = parsed.success.params.find(([name]) => name === "n")?.[1] ?? "0"
  return String(8_000_000_000 + Number(n))
}

/** Answers every row with the number made from its own parameters, echoing `request_id`. */
export const allocateEach = (call: StubCall): StubAnswer => ({
  body: {
    responses: call.rows.map((row) => {
      const number = numberFor(row.api_suffix)
      return {
        ...(row.request_id === undefined ? {} : { request_id: row.request_id }),
        promo_number: number,
        promo_number_formatted: `${number.slice(0, 3)}-${number.slice(3, 6)}-${number.slice(6)}`
      }
    })
  },
  headers: { "processing-time": "3" }
})

const errorWithCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code })

export const stubLayer = (answer: (call: StubCall, index: number) => StubAnswer) => {
  const calls: Array<StubCall> = []
  // Bulk calls open at once, and the most seen, to check the client's limit.
  const concurrency = { open: 0, most: 0 }
  const respond = (
    request: Parameters<Parameters<typeof HttpClient.make>[0]>[0],
    reply: StubAnswer
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    if ("delayMs" in reply) return Effect.sleep(reply.delayMs).pipe(Effect.andThen(respond(request, reply.answer)))
    if ("fail" in reply) {
      return Effect.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.TransportError({
            request,
            cause: errorWithCode(reply.fail === "refused" ? "ECONNREFUSED" : "ECONNRESET")
          })
        })
      )
    }
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)
    return Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        new Response(text, {
          status: reply.status ?? 200,
          headers: { "content-type": "application/json", ...reply.headers }
        })
      )
    )
  }
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) => {
      const body = request.body as unknown as { body: Uint8Array }
      const parsed = JSON.parse(new TextDecoder().decode(body.body)) as { requests: StubCall["rows"] }
      const call = { rows: parsed.requests }
      calls.push(call)
      concurrency.open++
      concurrency.most = Math.max(concurrency.most, concurrency.open)
      return respond(request, answer(call, calls.length - 1)).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            concurrency.open--
          })
        )
      )
    })
  )
  return { layer, calls, concurrency }
}
