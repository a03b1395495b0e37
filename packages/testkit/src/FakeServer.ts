/**
 * The fake on a real port, for load tests, benchmarks, other processes and clients that are not built on
 * Effect's `HttpClient`. Plain `node:http` with keep-alive (the API's documentation strongly recommends a
 * persistent connection, and the clients under test keep theirs open): a request costs the fake's own work and
 * little else.
 *
 * A `drop` fault destroys the request's socket: the client sees the connection die with no answer.
 * Injected delays run on the wall clock here, whatever clock the pools read, because the client on the other
 * end of the socket waits in wall-clock time.
 *
 * @since 0.1.0
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"
import { FakeRingPool } from "./FakeRingPool.ts"
import type { RingPoolFake } from "./RingPoolFake.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  /** Default 0: any free port (read the chosen one from `url`). */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:41234`: a client's `baseUrl`. */
  readonly url: string
  /** Stops listening, ends open connections and answers that were still waiting on a delay. */
  readonly close: () => Promise<void>
}

const checkOptions = (options: ServerOptions): { readonly port: number; readonly host: string } => {
  const port = options.port ?? 0
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`@ringpool/testkit: port must be an integer from 0 to 65535 (0: any free port), got ${port}`)
  }
  const host = options.host ?? "127.0.0.1"
  if (typeof host !== "string" || host === "") throw new TypeError("@ringpool/testkit: host must be a host name or IP")
  return { port, host }
}

/**
 * Serves a fake on a port. `now` is the fake's clock in milliseconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = (fake: RingPoolFake, now: () => number, options: ServerOptions = {}): Promise<RunningServer> => {
  const { port, host } = checkOptions(options)
  const delayed = new Set<ReturnType<typeof setTimeout>>()

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    let body = ""
    request.setEncoding("utf8")
    request.on("data", (chunk: string) => {
      body += chunk
    })
    request.on("end", () => {
      const answer = fake.handle(request.method ?? "GET", request.url ?? "/", body, now())
      const send = () => {
        if (answer._tag === "Drop") request.socket.destroy()
        else response.writeHead(answer.status, answer.headers).end(answer.body)
      }
      if (answer.delayMs <= 0) return send()
      const timer = setTimeout(() => {
        delayed.delete(timer)
        send()
      }, answer.delayMs)
      delayed.add(timer)
    })
  }

  const server = createServer({ keepAlive: true }, onRequest)
  // Longer than any client's idle timeout we ship (30 s), so that the client, not the server, closes idle sockets.
  server.keepAliveTimeout = 60_000
  server.headersTimeout = 65_000

  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        new Error(
          `@ringpool/testkit: could not listen on ${host}:${port} (${error.message}); pick another port, or 0 for any free one`,
          { cause: error }
        )
      )
    )
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of delayed) clearTimeout(timer)
            delayed.clear()
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })
}

/**
 * A running server of the `FakeRingPool` in context.
 *
 * @since 0.1.0
 * @category services
 */
export class FakeServer extends Context.Service<FakeServer, { readonly url: string }>()(
  "@ringpool/testkit/FakeServer"
) {}

/**
 * Serves the `FakeRingPool` in context on a port for the life of the layer; its pools read the same clock as the
 * in-process client, so both faces share one state.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ServerOptions = {}): Layer.Layer<FakeServer, never, FakeRingPool> =>
  Layer.effect(
    FakeServer,
    Effect.gen(function* () {
      const { fake, clock } = yield* FakeRingPool
      const server = yield* Effect.acquireRelease(
        Effect.promise(() => listen(fake, () => clock.currentTimeMillisUnsafe(), options)),
        (running) => Effect.promise(running.close)
      )
      return FakeServer.of({ url: server.url })
    })
  )
