/**
 * The default transport on Node: `node:http` (or `node:https`) with a keep-alive agent, as the API's documentation
 * strongly recommends. A bulk call costs one `request` and a few listeners: no fiber, no undici, no Effect.
 *
 * Decided here:
 * - At most `maxInFlight` sockets, kept open between calls and closed after 30 s idle (before most servers' own
 *   idle timeouts, which makes the keep-alive race below rare).
 * - Node's documented keep-alive race: a socket the server closed for being idle, reused as the close was on its way,
 *   is reset before any byte of the answer. Such a call is sent once more, on a fresh socket, but only when its
 *   socket had been idle for at least `raceIdleMs`: a server closes idle sockets only after seconds, so a reset on a
 *   socket in steady use (a bulk run, a busy site) is the service failing after it may have read the call, and is
 *   reported (`Transport`, sent), not sent again, as any other reset. At worst the service had read a resent call
 *   too and a number is spent twice; no number can reach the wrong row, as the answer is still checked row by row.
 * - The time limit covers the whole call (connecting, sending, the answer to its last byte); past it the socket is
 *   destroyed, so a slow or endless answer costs nothing more.
 * - The size limit is checked against `content-length` before reading and against the bytes as they arrive, so the
 *   memory a call holds is bounded by `maxResponseBytes` plus one chunk, whatever the server sends.
 */
import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import type { Socket } from "node:net"
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

const idleSocketMs = 30_000

/** How long a socket must have been idle for a reset on it to be taken for the keep-alive race. */
export const raceIdleMs = 1_000

/** When each socket's last answer ended: how long a reused socket was idle. */
const lastAnswered = new WeakMap<Socket, number>()

export const make = (limits: TransportLimits): BulkTransport => {
  const url = new URL(limits.bulkUrl)
  const secure = url.protocol === "https:"
  const agent = new (secure ? HttpsAgent : HttpAgent)({
    keepAlive: true,
    maxSockets: limits.maxInFlight,
    timeout: idleSocketMs,
    // The most recently used socket first: the others go idle and are closed, instead of all aging together.
    scheduling: "lifo"
  })
  const send = secure ? httpsRequest : httpRequest
  // `retry: false` means no call is ever sent twice: the keep-alive race then fails its rows as `Transport` (sent).
  const resendOnRace = limits.retry !== undefined
  const target = {
    agent,
    protocol: url.protocol,
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    method: "POST"
  }
  const timeoutReason = new RingPoolError.Timeout({ timeoutMs: limits.timeoutMs })
  const closedReason = transportFailure(undefined, "the client was closed")
  // Calls in flight, each with the function that ends it: `close` ends them all.
  const open = new Map<ClientRequest, (reason: CallFailure) => void>()
  let closed = false

  const post = (
    payload: string,
    firstTry: boolean,
    deadline: number,
    done: (result: BulkAnswer | CallFailure) => void
  ) => {
    let settled = false
    let answered = false
    let req: ClientRequest | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = () => {
      settled = true
      clearTimeout(timer)
      if (req !== undefined) open.delete(req)
    }
    const settle = (result: BulkAnswer | CallFailure) => {
      if (settled) return
      finish()
      done(result)
    }
    const fail = (reason: CallFailure) => {
      settle(reason)
      req?.destroy()
    }
    try {
      req = send({
        ...target,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload, "utf8") }
      })
    } catch (error) {
      settle(transportFailure(error))
      return
    }
    const sent = req
    let idleMs = 0
    sent.once("socket", (socket: Socket) => {
      const last = lastAnswered.get(socket)
      idleMs = last === undefined ? 0 : performance.now() - last
    })
    open.set(sent, fail)
    timer = setTimeout(() => fail(timeoutReason), Math.max(0, deadline - performance.now()))
    sent.on("response", (res: IncomingMessage) => {
      answered = true
      onResponse(res, limits.maxResponseBytes, settle, fail)
    })
    sent.on("error", (error) => {
      if (settled) return
      // Node's keep-alive race: the server closed the idle socket as we reused it. Send once more, on a fresh socket.
      const race = !answered && firstTry && resendOnRace && sent.reusedSocket && idleMs >= raceIdleMs
      if (race && (error as { code?: string }).code === "ECONNRESET") {
        finish()
        post(payload, false, deadline, done)
        return
      }
      settle(transportFailure(error))
    })
    sent.end(payload)
  }

  return {
    send: (body, done) => {
      if (closed) done(closedReason)
      // The body goes to the socket as a string (Node encodes it as it writes): no copy of every call in a Buffer.
      else post(body, true, performance.now() + limits.timeoutMs, done)
    },
    close: async () => {
      closed = true
      for (const fail of [...open.values()]) fail(closedReason)
      agent.destroy()
    }
  }
}

const onResponse = (
  res: IncomingMessage,
  maxBytes: number,
  settle: (result: BulkAnswer | CallFailure) => void,
  fail: (reason: CallFailure) => void
): void => {
  const declared = Number(res.headers["content-length"])
  if (declared > maxBytes) {
    fail(tooLarge(maxBytes, declared))
    return
  }
  const socket = res.socket as Socket | null
  let chunks: Array<Buffer> = []
  let size = 0
  let ended = false
  res.on("data", (chunk: Buffer) => {
    size += chunk.length
    if (size <= maxBytes) return void chunks.push(chunk)
    // Let go of what was read before failing: the rows' errors capture this stack, and with it this closure.
    chunks = []
    fail(tooLarge(maxBytes))
  })
  res.on("end", () => {
    ended = true
    // Taken when the answer began: by its end, the socket may be back in the agent's pool and off `res`.
    if (socket !== null) lastAnswered.set(socket, performance.now())
    settle({
      status: res.statusCode ?? 0,
      text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8"),
      processingTimeMs: processingTimeOf(res.headers["processing-time"])
    })
  })
  // A connection closed before the answer's end: the service may have allocated, so the call counts as sent.
  res.on("close", () => {
    if (!ended) fail(transportFailure(undefined, "the connection closed before the answer was complete"))
  })
  res.on("error", () => undefined)
}
