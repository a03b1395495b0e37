/**
 * A request body read from a socket within bounds: at most `limit` bytes of one body (checked on `Content-Length`
 * before anything is read, and counted as bytes arrive, since a chunked body declares no length), and at most
 * `budget.max` bytes of all the bodies being read at once, so that many slow or huge senders together cannot fill
 * memory either. Past the limit nothing more is buffered: what was held is let go and the rest is left unread.
 */
import type { IncomingMessage } from "node:http"
import { bodyTooLarge } from "./bulkCall.ts"

/** The bytes of all bodies being read at once. */
export class BodyBudget {
  held = 0
  constructor(readonly max: number) {}
}

export type BodyRead = Uint8Array | typeof bodyTooLarge | "overBudget"

/** The declared length of a body, or undefined when it declares none (chunked) or something unreadable. */
export const declaredLength = (request: IncomingMessage): number | undefined => {
  const header = request.headers["content-length"]
  if (header === undefined || !/^\d+$/.test(header)) return undefined
  return Number(header)
}

/**
 * Reads the body and calls `done` once: with its bytes; with `bodyTooLarge` as soon as it passes `limit`; with
 * `"overBudget"` when all bodies being read would pass the budget. An aborted request calls nothing: there is no one
 * left to answer.
 */
export const readBody = (
  request: IncomingMessage,
  limit: number,
  budget: BodyBudget,
  done: (body: BodyRead) => void
): void => {
  let chunks: Array<Buffer> = []
  let size = 0
  let settled = false
  const release = () => {
    budget.held -= size
    chunks = []
  }
  const settle = (body: BodyRead) => {
    if (settled) return
    settled = true
    release()
    done(body)
  }
  // Chunks after a refusal fall through here unread (cheaper than removing the listener from the stream).
  const onData = (chunk: Buffer) => {
    if (settled) return
    const over =
      size + chunk.length > limit ? bodyTooLarge : budget.held + chunk.length > budget.max ? "overBudget" : undefined
    if (over !== undefined) return settle(over)
    size += chunk.length
    budget.held += chunk.length
    chunks.push(chunk)
  }
  const declared = declaredLength(request)
  if (declared !== undefined && declared > limit) {
    settle(bodyTooLarge)
    return
  }
  request.on("data", onData)
  request.on("end", () => {
    if (settled) return
    // A copy of exactly the body's size: the fake keeps it in its logs, and a chunk is a slice of the socket's read
    // buffer, which it would keep alive whole. Off the JavaScript heap, the collector never copies it.
    const body = Buffer.allocUnsafeSlow(size)
    let at = 0
    for (const chunk of chunks) at += chunk.copy(body, at)
    settle(body)
  })
  // A client that gives up mid-body: free what it sent; nothing is answered.
  const abandon = () => {
    if (settled) return
    settled = true
    release()
  }
  request.on("error", abandon)
  request.on("close", abandon)
}
