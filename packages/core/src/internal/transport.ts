/**
 * The core's port to the service: one bulk call. A body goes out; the status, the `processing-time` header and the
 * answer's text come back, within a time limit and a size limit, or the reason they did not.
 *
 * Callbacks, not Effects: a transport runs once per bulk call on the hot path, and the Node one pays no fiber or
 * Effect machinery at all. Two implementations: `httpClientTransport.ts` over any Effect `HttpClient` (fetch, the
 * testkit's in-process fake, a user's own) and `nodeTransport.ts` directly on `node:http`/`node:https`.
 */
import * as RingPoolError from "../RingPoolError.ts"

export interface BulkAnswer {
  readonly status: number
  readonly text: string
  /** The service's `processing-time` header, in milliseconds, when it sent a number. */
  readonly processingTimeMs: number | undefined
}

/** What a call can end in besides an answer. */
export type CallFailure = RingPoolError.Transport | RingPoolError.Timeout | RingPoolError.InvalidResponse

export interface BulkTransport {
  /** Sends one bulk call's body. `done` is called exactly once; `send` never throws. */
  readonly send: (body: string, done: (result: BulkAnswer | CallFailure) => void) => void
  /** Releases connections. Calls still open end with a `Transport` failure. */
  readonly close: () => Promise<void>
}

export interface TransportLimits {
  readonly bulkUrl: string
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly maxInFlight: number
  /** `undefined` when the client was made with `retry: false`: then not even the keep-alive race is sent again. */
  readonly retry?: object | undefined
}

export const isAnswer = (result: BulkAnswer | CallFailure): result is BulkAnswer => "status" in result

export const processingTimeOf = (header: string | ReadonlyArray<string> | undefined): number | undefined => {
  const value = typeof header === "string" ? Number.parseFloat(header) : Number.NaN
  return Number.isFinite(value) ? value : undefined
}

export const tooLarge = (limit: number, declared?: number): RingPoolError.InvalidResponse =>
  new RingPoolError.InvalidResponse({
    description: `the answer ${declared === undefined ? "is" : `declares ${declared} bytes,`} over maxResponseBytes (${limit} bytes); nothing of it was used (a 100-row answer is about 20 KB: raise maxResponseBytes if the service's answers are this large)`
  })

// Error codes of a connection that was never made: the request cannot have reached the service.
const notSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"])

/** The first `code` along an error's `cause` chain (Node's system errors carry one). */
export const codeOf = (cause: unknown): string | undefined => {
  for (let depth = 0; cause !== null && typeof cause === "object" && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === "string") return code
    cause = (cause as { cause?: unknown }).cause
  }
  return undefined
}

/** A failed connection as a reason: `sent` unless the error says the connection was never made. */
export const transportFailure = (cause: unknown, what?: string): RingPoolError.Transport => {
  const code = codeOf(cause)
  const text = what ?? code ?? (cause instanceof Error ? cause.message : "connection failed")
  return new RingPoolError.Transport({ description: text, sent: code === undefined || !notSentCodes.has(code) })
}
