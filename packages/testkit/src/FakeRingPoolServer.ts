/**
 * The fake on a real port: for test suites that do not use Effect (vitest, jest), load tests, benchmarks, other
 * processes and clients in any language. A Promise face (`startFakeRingPoolServer`) and an Effect layer (`layer`)
 * that serves the `FakeRingPool` in context, both on `listen`.
 *
 * ```ts
 * import { createRingPoolClient } from "@ringpool/core"
 * import { startFakeRingPoolServer } from "@ringpool/testkit"
 *
 * const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "key", size: 5 }] })
 * const client = createRingPoolClient({ baseUrl: fake.url })
 * await client.allocate({ ringPoolId: "123", ringPoolKey: "key", params: { m1: "autos" } })
 * fake.allocations() // [{ ringPoolId: "123", promoNumber, params: { m1: "autos" }, requestId, overflow: false, at }]
 * await client.close()
 * await fake.close()
 * ```
 *
 * Plain `node:http` with keep-alive (the API's documentation strongly recommends a persistent connection, and the
 * clients under test keep theirs open): a request costs the fake's own work and little else.
 *
 * Decided here:
 * - A `drop` fault destroys the request's socket: the client sees the connection die with no answer. Injected
 *   delays run on the wall clock, whatever clock the pools read, because the client on the other end of the socket
 *   waits in wall-clock time.
 * - A body is read up to the fake's `maxRequestBytes`: a larger `Content-Length` is refused before any of it is
 *   read (without `100 Continue` when the client asks first), and a chunked body when it passes the limit. Either gets
 *   413 at once; the rest of that body is never read, and the connection is closed 1 s later (closing at once would
 *   reset a client still sending, which may then never read the answer). All bodies being read at once hold at most 16 times `maxRequestBytes`; past it a request gets 503
 *   `ServiceUnavailable` (`retry-after: 1`, and the same lingering close), so that many slow or huge senders together
 *   cannot fill memory either, and the others are still served.
 * - The manual clock starts at 0 (as `TestClock` does), so allocation times read as "ms since start", and only
 *   `advance` moves it; `reset()` leaves the clock where it is (time does not go backwards).
 *
 * @since 0.1.0
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"
import type { AllocationRecord } from "./AllocationLog.ts"
import type { RecordedCall } from "./CallLog.ts"
import * as FakeRingPool from "./FakeRingPool.ts"
import type { Injection } from "./FaultPlan.ts"
import { errorBody } from "./internal/bulkBody.ts"
import { BodyBudget, type BodyRead, declaredLength, readBody } from "./internal/requestBody.ts"

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

/**
 * @since 0.1.0
 * @category models
 */
export interface StartOptions extends FakeRingPool.FakeOptions, ServerOptions {
  /** `"real"` (default): the wall clock. `"manual"`: starts at 0 and moves only with `advance(ms)`. */
  readonly clock?: "real" | "manual" | undefined
}

/**
 * A running fake.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeRingPoolServer {
  /** The base URL, e.g. `http://127.0.0.1:41234`: pass it as a client's `baseUrl`. */
  readonly url: string
  /** The allocation log, oldest first: `{ ringPoolId, promoNumber, params, requestId, overflow, at }`. */
  readonly allocations: () => Array<AllocationRecord>
  /** Every request received, decoded, oldest first. */
  readonly calls: () => Array<RecordedCall>
  /** A fault for the next bulk call(s): `times` (default 1, or `"always"`), `probability` (default 1). */
  readonly inject: (injection: Injection) => void
  /** Clears faults, logs and pool state. */
  readonly reset: () => void
  /** Stops the server and ends its connections. */
  readonly close: () => Promise<void>
  /** Moves the manual clock forward by `ms` (a `clock: "manual"` fake only). */
  readonly advance: (ms: number) => void
  /** The fake's time now, in milliseconds. */
  readonly now: () => number
  /** The allocation a call to `promoNumber` at `at` (default: now) belongs to; undefined for overflow numbers. */
  readonly attribute: (promoNumber: string, at?: number) => AllocationRecord | undefined
}

const knownOptions = new Set([
  "pools",
  "port",
  "host",
  "clock",
  "seed",
  "logLimit",
  "maxRequestBytes",
  "onUnexpectedRequest"
])
const budgetInBodies = 16
const lingerMs = 1_000
const overBudget = JSON.stringify(
  errorBody("ServiceUnavailable", "the fake is reading too many large bodies at once: retry in a moment")
)

const checkOptions = (options: ServerOptions): { readonly port: number; readonly host: string } => {
  const port = options.port ?? 0
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) {
    // As given: text quoted, a number as written (`NaN`, `4010n`), anything else by its type.
    const given =
      typeof port === "string"
        ? JSON.stringify(port)
        : typeof port === "number" || typeof port === "bigint"
          ? `${String(port)}${typeof port === "bigint" ? "n" : ""}`
          : `a ${port === null ? "null" : typeof port}`
    throw new TypeError(`@ringpool/testkit: port must be an integer from 0 to 65535 (0: any free port), got ${given}`)
  }
  const host = options.host ?? "127.0.0.1"
  if (typeof host !== "string" || host === "") throw new TypeError("@ringpool/testkit: host must be a host name or IP")
  return { port, host }
}

/**
 * Before refusing a body it did not read, the server stops reading the connection, and closes it a moment after the
 * answer. Node would close it at once, which resets a client still sending: such a client may then never read the
 * answer. Stopped, the connection leaves what the client still sends waiting in the kernel's buffers (TCP holds the
 * sender back), while the answer travels the other way.
 */
const lingerThenClose = (request: IncomingMessage, response: ServerResponse): void => {
  if (request.complete) return
  // Node closes a connection whose request body is unread as soon as the answer is out; this one closes later.
  response.shouldKeepAlive = true
  // A listener, then a pause: Node would otherwise read the rest of the body itself, to reuse the connection.
  request.on("data", () => {})
  request.pause()
  setTimeout(() => request.socket.destroy(), lingerMs).unref()
}

/**
 * Serves a fake on a port. `now` is the fake's clock in milliseconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const listen = (
  fake: FakeRingPool.Fake,
  now: () => number,
  options: ServerOptions = {}
): Promise<RunningServer> => {
  const { port, host } = checkOptions(options)
  const delayed = new Set<ReturnType<typeof setTimeout>>()
  const budget = new BodyBudget(budgetInBodies * fake.maxRequestBytes)

  const answer = (request: IncomingMessage, response: ServerResponse, body: BodyRead) => {
    if (body === "overBudget") {
      lingerThenClose(request, response)
      response.writeHead(503, { "content-type": "application/json; charset=utf-8", "retry-after": "1" })
      return response.end(overBudget)
    }
    const reply = fake.handle(request.method ?? "GET", request.url ?? "/", body, now())
    const send = () => {
      if (reply._tag === "Drop") return request.socket.destroy()
      if (body === FakeRingPool.bodyTooLarge) lingerThenClose(request, response)
      response.writeHead(reply.status, reply.headers).end(reply.body)
    }
    if (reply.delayMs <= 0) return send()
    const timer = setTimeout(() => {
      delayed.delete(timer)
      send()
    }, reply.delayMs)
    delayed.add(timer)
  }

  const onRequest = (request: IncomingMessage, response: ServerResponse) =>
    readBody(request, fake.maxRequestBytes, budget, (body) => answer(request, response, body))

  const server = createServer({ keepAlive: true }, onRequest)
  // A client that asks before sending (`Expect: 100-continue`) is told 413 before it sends a byte too many.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    const declared = declaredLength(request)
    if (declared !== undefined && declared > fake.maxRequestBytes) {
      return answer(request, response, FakeRingPool.bodyTooLarge)
    }
    response.writeContinue()
    onRequest(request, response)
  })
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
 * Starts a fake on a port (default: any free port on 127.0.0.1). Options are checked at once: a mistake throws a
 * `TypeError` that says what to write instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startFakeRingPoolServer = async (options: StartOptions = {}): Promise<FakeRingPoolServer> => {
  for (const name of Object.keys(options ?? {})) {
    if (!knownOptions.has(name)) {
      throw new TypeError(
        `@ringpool/testkit: unknown option ${JSON.stringify(name)}; known: ${[...knownOptions].join(", ")}`
      )
    }
  }
  const { clock = "real", port, host, ...fakeOptions } = options
  if (clock !== "real" && clock !== "manual") {
    throw new TypeError(`@ringpool/testkit: clock must be "real" or "manual", got ${JSON.stringify(clock)}`)
  }
  const fake = FakeRingPool.make(fakeOptions)
  let manualTime = 0
  const now = clock === "manual" ? () => manualTime : Date.now
  const server = await listen(fake, now, { port, host })
  return {
    url: server.url,
    allocations: () => fake.allocations(),
    calls: () => fake.calls(),
    inject: (injection) => fake.inject(injection),
    reset: () => fake.reset(),
    close: server.close,
    advance: (ms) => {
      if (clock !== "manual") {
        throw new TypeError('@ringpool/testkit: advance needs a fake started with clock: "manual"')
      }
      if (!Number.isFinite(ms) || ms < 0) {
        throw new TypeError(`@ringpool/testkit: advance takes milliseconds >= 0, got ${ms}`)
      }
      manualTime += ms
    },
    now,
    attribute: (promoNumber, at) => fake.attribute(promoNumber, at ?? now())
  }
}

/**
 * The address of the `FakeRingPool` in context on a port, while `layer` runs.
 *
 * @since 0.1.0
 * @category services
 */
export class Address extends Context.Service<Address, { readonly url: string }>()(
  "@ringpool/testkit/FakeRingPoolServer/Address"
) {}

/**
 * Serves the `FakeRingPool` in context on a port for the life of the layer; its pools read the same clock as the
 * in-process client, so both faces share one state.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ServerOptions = {}): Layer.Layer<Address, never, FakeRingPool.FakeRingPool> =>
  Layer.effect(
    Address,
    Effect.gen(function* () {
      const { fake, clock } = yield* FakeRingPool.FakeRingPool
      const server = yield* Effect.acquireRelease(
        Effect.promise(() => listen(fake, () => clock.currentTimeMillisUnsafe(), options)),
        (running) => Effect.promise(running.close)
      )
      return Address.of({ url: server.url })
    })
  )
