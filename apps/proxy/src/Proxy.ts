/**
 * `startProxy`: the single RingPool API on a port, served through the core's coalesced bulk calls.
 *
 * ```ts
 * import { startProxy } from "@ringpool/proxy"
 * const proxy = await startProxy({ port: 8080, timeoutMs: 2_000 })
 * // GET ${proxy.url}/api/2014-07-28/ring_pools/123/allocate_number.json?ring_pool_key=KEY&site=autos
 * await proxy.close() // stops accepting, answers what is in flight, then resolves
 * ```
 *
 * Every request of every caller goes through one client, so concurrent requests become few bulk calls upstream.
 * The server is plain `node:http`; a request line its parser refuses for raw spaces or bytes (sloppy PHP clients)
 * is read by `SloppyRequestLine` instead of being answered with a bare 400.
 *
 * @since 0.1.0
 */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http"
import type { Socket } from "node:net"
import { createRingPoolClient, type PromiseClient } from "@ringpool/core"
import * as Answer from "./Answer.ts"
import * as Budget from "./Budget.ts"
import * as Capacity from "./Capacity.ts"
import * as ProxyMetrics from "./ProxyMetrics.ts"
import * as ProxyOptions from "./ProxyOptions.ts"
import * as RequestBody from "./RequestBody.ts"
import * as Routes from "./Routes.ts"
import * as SloppyRequestLine from "./SloppyRequestLine.ts"
import * as Telemetry from "./Telemetry.ts"

/**
 * A running proxy.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningProxy {
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** Stops accepting, finishes the requests in flight, flushes telemetry and closes its own client. */
  readonly close: () => Promise<void>
}

// After the last answer, connections still open (a client that ignored `connection: close`) get this long.
const lingerMs = 1_000

/**
 * Connections open at once at most: past it, new ones are closed as they arrive, and the proxy keeps descriptors for
 * its own connections upstream (callers that open connections and never read could otherwise take every one).
 */
const maxConnections = 10_000

/**
 * Writes a last answer on a socket Node's server has let go of, and closes it. A peer that never reads would keep
 * the answer unsent, so the socket open, for ever: it is destroyed after `lingerMs` all the same.
 */
const endSocket = (socket: Socket, text: string) => {
  socket.end(text)
  const timer = setTimeout(() => socket.destroy(), lingerMs)
  timer.unref()
  socket.once("close", () => clearTimeout(timer))
}

const makeClient = (
  settings: ProxyOptions.ResolvedOptions,
  telemetry: Telemetry.Telemetry
): PromiseClient.PromiseRingPoolClient => {
  try {
    // Options left out come from the RINGPOOL_* environment (the core reads it); its spans join the proxy's export.
    return createRingPoolClient({ ...settings.clientOverrides, context: telemetry.context })
  } catch (cause) {
    throw new TypeError(
      `startProxy: ${(cause instanceof Error ? cause.message : String(cause)).replace(/^ringpool: /, "")}`,
      { cause }
    )
  }
}

const urlOf = (host: string, port: number) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`

/**
 * Starts the proxy. Options are checked first (a `TypeError` says what to write instead); the promise rejects when
 * the port cannot be bound.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startProxy = async (options: ProxyOptions.ProxyOptions = {}): Promise<RunningProxy> => {
  const settings = ProxyOptions.resolve(options)
  const telemetry = await Telemetry.start()
  const ownClient = options.client === undefined
  let client: PromiseClient.PromiseRingPoolClient
  try {
    client = options.client ?? makeClient(settings, telemetry)
  } catch (error) {
    await telemetry.close()
    throw error
  }
  const metrics = new ProxyMetrics.ProxyMetrics()
  const capacity = new Capacity.Capacity()
  let closing = false
  let inFlight = 0
  let drained: (() => void) | undefined
  const route = Routes.make({
    client,
    metrics,
    maxUrlBytes: settings.maxUrlBytes,
    maxBodyBytes: settings.maxBodyBytes,
    closing: () => closing
  })
  const tracer = telemetry.tracer

  /** Runs one exchange to its answer, counts it, and hands the answer to `write`. */
  const serve = (
    method: string,
    target: string,
    traceparent: string | undefined,
    body: Routes.Exchange["body"],
    budget: Budget.Budget,
    hold: Capacity.Hold,
    write: (answer: Answer.Answer) => void
  ) => {
    const started = performance.now()
    const span =
      tracer === undefined ? undefined : Telemetry.requestSpan(tracer, `ringpool.proxy ${method}`, traceparent)
    inFlight++
    const finish = (routed: Routes.Routed) => {
      budget.end()
      hold.release()
      write(routed.answer)
      metrics.record(routed.route, routed.answer.status, performance.now() - started)
      if (span !== undefined) {
        span.attribute("ringpool.route", routed.route)
        Telemetry.endSpan(span, routed.answer.status, routed.errorClass)
      }
      if (--inFlight === 0 && drained !== undefined) drained()
    }
    const routed = route({ method, target, body, budget, hold })
    if (routed instanceof Promise) {
      routed.then(finish, () => {
        finish({
          route: "other",
          answer: Answer.text(500, "ProxyError: the proxy failed unexpectedly (please report it)")
        })
      })
    } else finish(routed)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const budget = Budget.start(settings.timeoutMs)
    // The caller gave up: rows of its request still queued are never sent.
    res.once("close", () => {
      if (!res.writableFinished) budget.abandon()
    })
    const method = req.method ?? "GET"
    const hold = method === "POST" ? capacity.hold() : Capacity.none
    // A body not read to its end (too large, the proxy busy, too slow): the connection cannot carry another request.
    let refused = false
    const body =
      method === "POST"
        ? () =>
            RequestBody.read(req, settings.maxBodyBytes, hold, budget.signal).then((text) => {
              refused = typeof text !== "string"
              return text
            })
        : undefined
    const traceparent = tracer === undefined ? undefined : (req.headers.traceparent as string | undefined)
    serve(method, req.url ?? "/", traceparent, body, budget, hold, (answer) =>
      Answer.write(res, answer, closing || refused)
    )
  }

  const onClientError = (
    error: Error & { code?: string; rawPacket?: Buffer; bytesParsed?: number },
    socket: Socket
  ) => {
    if (!socket.writable) return
    // An earlier request of this connection still being answered: anything written now would be read as its answer.
    if ((socket as Socket & { _httpMessage?: unknown })._httpMessage != null) {
      socket.destroy()
      return
    }
    // Only the connection's first bytes are read this way (sloppy clients open a connection per request): after
    // earlier bytes, the refused line may have begun in them, and the packet's first line be the middle of it.
    const target = socket.bytesRead === error.rawPacket?.length ? SloppyRequestLine.rescue(error) : undefined
    if (target === undefined) {
      const status = SloppyRequestLine.statusOf(error.code)
      endSocket(socket, `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`)
      return
    }
    const budget = Budget.start(settings.timeoutMs)
    socket.once("close", budget.abandon)
    serve("GET", target, undefined, undefined, budget, Capacity.none, (answer) => {
      if (socket.writable) endSocket(socket, Answer.serialize(answer))
    })
  }

  const server = createServer(
    {
      // The URL is part of the head: leave room for it and for ordinary headers.
      maxHeaderSize: settings.maxUrlBytes + 16_384,
      headersTimeout: 10_000,
      // Heads still unfinished are checked every second (Node's default is 30 s): a connection that sends nothing is
      // closed soon after `headersTimeout`, not up to half a minute later, so idle ones cannot hold the cap long.
      connectionsCheckingInterval: 1_000,
      requestTimeout: settings.timeoutMs + 30_000,
      keepAliveTimeout: 5_000
    },
    onRequest
  )
  server.on("clientError", onClientError)
  server.maxConnections = maxConnections
  // `Expect: 100-continue` for a body past the limit: the 413 at once, rather than inviting the body first.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers["content-length"]) > settings.maxBodyBytes)) res.writeContinue()
    onRequest(req, res)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(settings.port, settings.host, () => {
        server.off("error", reject)
        resolve()
      })
    })
  } catch (error) {
    await telemetry.close()
    if (ownClient) await client.close()
    throw error
  }
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : settings.port

  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= (async () => {
      closing = true
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
      server.closeIdleConnections()
      const linger = setTimeout(() => server.closeAllConnections(), lingerMs)
      await stopped
      clearTimeout(linger)
      if (ownClient) await client.close()
      await telemetry.close()
    })()
    return closed
  }

  return { url: urlOf(settings.host, port), close }
}
