/**
 * A minimal stand-in for the service on a real port, for tests of the Node transport (keep-alive, aborts).
 * It answers every row with the number made from the row's own parameters, after an optional delay.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { readBody } from "./bodies.ts"
import { allocateEach, type StubCall } from "./stubService.ts"

export interface LoopbackService {
  readonly url: string
  readonly calls: Array<StubCall>
  /** TCP connections accepted so far: with keep-alive, far fewer than calls. */
  readonly connections: () => number
  delayMs: number
  readonly close: () => Promise<void>
}

export const startLoopbackService = async (): Promise<LoopbackService> => {
  const calls: Array<StubCall> = []
  let connections = 0
  const service = { delayMs: 0 }
  const server: Server = createServer((req, res) => {
    readBody(req, (body) => {
      const call = { rows: (JSON.parse(body) as { requests: StubCall["rows"] }).requests }
      calls.push(call)
      const answer = allocateEach(call)
      setTimeout(() => {
        if ("body" in answer) {
          res.writeHead(200, { "content-type": "application/json", ...answer.headers })
          res.end(JSON.stringify(answer.body))
        }
      }, service.delayMs)
    })
  })
  server.on("connection", () => {
    connections++
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(service, {
    url: `http://127.0.0.1:${port}`,
    calls,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
}
