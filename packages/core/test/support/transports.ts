/**
 * The client under test on each of its transports, answered alike: the stub `HttpClient` (no sockets) and the Node
 * transport against a loopback server that plays the same `StubAnswer`s on a real port. Tests that concern the
 * wire run on both, so that neither transport can drift from the other.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Layer } from "effect"
import { type ClientOptions, RingPoolClient, type RingPoolError } from "../../src/index.ts"
import * as RingPoolNode from "../../src/node.ts"
import { readBody } from "./bodies.ts"
import { type StubAnswer, type StubCall, stubLayer } from "./stubService.ts"

export type Answer = (call: StubCall, index: number) => StubAnswer

export interface ClientUnderTest {
  readonly layer: Layer.Layer<RingPoolClient.RingPoolClient, RingPoolError.RingPoolError>
  /** The bulk calls the service received, decoded. */
  readonly calls: Array<StubCall>
}

export interface Transport {
  readonly name: string
  readonly client: (answer: Answer, options?: ClientOptions.ClientOptions) => ClientUnderTest
}

const overHttpClient: Transport = {
  name: "an Effect HttpClient",
  client: (answer, options = {}) => {
    const stub = stubLayer(answer)
    return { layer: RingPoolClient.layer(options).pipe(Layer.provide(stub.layer)), calls: stub.calls }
  }
}

/** Plays `StubAnswer`s on a real port. A refused connection cannot be played by a server that listens. */
const serve = (answer: Answer, calls: Array<StubCall>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const server = createServer((req, res) => {
        readBody(req, (body) => {
          const call = { rows: (JSON.parse(body) as { requests: StubCall["rows"] }).requests }
          calls.push(call)
          const play = (reply: StubAnswer): void => {
            if ("delayMs" in reply) return void setTimeout(() => play(reply.answer), reply.delayMs)
            if ("fail" in reply) {
              if (reply.fail === "refused") throw new Error("a listening server cannot refuse: test it elsewhere")
              req.socket.resetAndDestroy()
              return
            }
            const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)
            res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers }).end(text)
          }
          play(answer(call, calls.length - 1))
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      return server
    }),
    (server) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections()
            server.close(() => resolve())
          })
      )
  )

const overNodeHttp: Transport = {
  name: "node:http",
  client: (answer, options = {}) => {
    const calls: Array<StubCall> = []
    const layer = Layer.unwrap(
      Effect.map(serve(answer, calls), (server) =>
        RingPoolNode.layer({ ...options, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
      )
    )
    return { layer, calls }
  }
}

export const transports: ReadonlyArray<Transport> = [overHttpClient, overNodeHttp]
