// The Node transport over real loopback sockets: keep-alive, the keep-alive race, refused connections, time and size
// limits, endless and cut answers. Every row gets exactly one outcome, and nothing escapes as an unhandled rejection.
import { spawn } from "node:child_process"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { createServer as createNetServer } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { createRingPoolClient, type Outcome } from "../src/index.ts"
import { raceIdleMs } from "../src/internal/nodeTransport.ts"
import { readBody } from "./support/bodies.ts"
import { failOnUnhandledRejections } from "./support/observe.ts"
import { allocateEach, numberFor, type StubCall } from "./support/stubService.ts"

failOnUnhandledRejections()

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, socketRequests: number) => void

interface TestServer {
  readonly url: string
  readonly requests: () => number
  readonly connections: () => number
  readonly close: () => Promise<void>
}

const servers: Array<TestServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A server whose answer to each request is up to the test; it counts requests and TCP connections. */
const serve = async (handler: Handler): Promise<TestServer> => {
  let requests = 0
  let connections = 0
  const perSocket = new WeakMap<object, number>()
  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    requests++
    const n = (perSocket.get(req.socket) ?? 0) + 1
    perSocket.set(req.socket, n)
    readBody(req, (body) => handler(req, res, body, n))
  })
  server.keepAliveTimeout = 60_000
  server.on("connection", () => {
    connections++
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const running = {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
  servers.push(running)
  return running
}

const answerEach = (res: ServerResponse, body: string) => {
  const answer = allocateEach({ rows: (JSON.parse(body) as { requests: StubCall["rows"] }).requests })
  if ("body" in answer) {
    res.writeHead(200, { "content-type": "application/json", ...answer.headers })
    res.end(JSON.stringify(answer.body))
  }
}

/** A server that resets every socket at its second call on it, and answers the others. */
const resettingSecondCalls = () =>
  serve((req, res, body, onThisSocket) => {
    if (onThisSocket === 2) req.socket.resetAndDestroy()
    else answerEach(res, body)
  })

const row = (n: number) => ({ ringPoolId: "7", ringPoolKey: "transport-key", params: { n: String(n) } })

const tagOf = (outcome: Outcome.Outcome) => (outcome.ok ? "allocated" : outcome.error.reason._tag)

describe("the Node transport", () => {
  it("keeps one socket alive for sequential calls", async () => {
    const server = await serve((_req, res, body) => answerEach(res, body))
    const client = createRingPoolClient({ baseUrl: server.url })
    for (let n = 0; n < 20; n++) {
      const allocation = await client.allocate(row(n))
      expect(allocation.promoNumber).toBe(String(8_000_000_000 + n))
    }
    expect(server.requests()).toBe(20)
    expect(server.connections()).toBe(1)
    await client.close()
  })

  it("sends once more on a fresh socket when a socket reused after being idle is reset before any byte of the answer", async () => {
    // The server closes every socket at its second request, as a server does with a socket it just timed out.
    const server = await resettingSecondCalls()
    // No retries of failed calls (times: 0): the race is not one, it is sent again all the same.
    const client = createRingPoolClient({ baseUrl: server.url, retry: { times: 0 } })
    for (let n = 0; n < 3; n++) {
      // Idle long enough for a server's idle timer to be the cause of a reset.
      if (n > 0) await new Promise((resolve) => setTimeout(resolve, raceIdleMs + 50))
      // Every row gets the number made from its own parameters: never another row's.
      expect((await client.allocate(row(n))).promoNumber).toBe(numberFor(`7/allocate_number.json?n=${n}`))
    }
    // Calls 2 and 3 each found their socket reset once and went out again: 2 extra requests, 3 connections.
    expect(server.requests()).toBe(5)
    expect(server.connections()).toBe(3)
    await client.close()
  })

  it("with retry: false not even the keep-alive race is sent again: nothing goes out twice", async () => {
    const server = await resettingSecondCalls()
    const client = createRingPoolClient({ baseUrl: server.url, retry: false })
    expect((await client.allocate(row(0))).promoNumber).toBe(numberFor("7/allocate_number.json?n=0"))
    await new Promise((resolve) => setTimeout(resolve, raceIdleMs + 50))
    const [second] = await client.allocateAll([row(1)])
    expect(!second!.ok && second!.error.reason).toMatchObject({ _tag: "Transport", sent: true })
    expect(server.requests()).toBe(2)
    await client.close()
  })

  it("a socket in steady use that is reset after the call went out is not sent again: the service may have allocated", async () => {
    // The service reads the second call of each socket, then fails: it may have allocated for it.
    const server = await resettingSecondCalls()
    const client = createRingPoolClient({ baseUrl: server.url, retry: false })
    expect((await client.allocate(row(0))).promoNumber).toBe(numberFor("7/allocate_number.json?n=0"))
    const [second] = await client.allocateAll([row(1)])
    expect(second!.ok).toBe(false)
    expect(!second!.ok && second!.error.reason).toMatchObject({ _tag: "Transport", sent: true })
    // Not "could not reach": the call went out, and the message says what that means.
    expect(!second!.ok && second!.error.message).toMatch(/broke after the call was sent .*may have allocated/)
    expect(server.requests()).toBe(2)
    expect(server.connections()).toBe(1)
    await client.close()
  })

  it("a reset that comes after the answer began is not sent again", async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.write('{"responses":[')
      setTimeout(() => req.socket.resetAndDestroy(), 10)
    })
    const client = createRingPoolClient({ baseUrl: server.url, retry: false })
    const outcomes = await client.allocateAll([row(1), row(2)])
    expect(outcomes.map(tagOf)).toEqual(["Transport", "Transport"])
    expect(outcomes.every((o) => !o.ok && o.error.reason._tag === "Transport" && o.error.reason.sent)).toBe(true)
    expect(server.requests()).toBe(1)
    await client.close()
  })

  it("a refused connection fails its rows as not sent, and is retried by default", async () => {
    const server = await serve(() => undefined)
    const url = server.url
    await server.close()
    const once = createRingPoolClient({ baseUrl: url, retry: false })
    const [outcome] = await once.allocateAll([row(1)])
    expect(outcome!.ok).toBe(false)
    const reason = !outcome!.ok ? outcome!.error.reason : undefined
    expect(reason).toMatchObject({ _tag: "Transport", sent: false })
    await once.close()
    const retrying = createRingPoolClient({ baseUrl: url, retry: { times: 2, baseDelayMs: 1, maxDelayMs: 2 } })
    expect((await retrying.allocateAll([row(1)])).map(tagOf)).toEqual(["Transport"])
    await retrying.close()
  })

  it("a server that never answers fails the call with Timeout after timeoutMs, for every row", async () => {
    const server = await serve(() => undefined)
    const client = createRingPoolClient({ baseUrl: server.url, timeoutMs: 100 })
    const started = performance.now()
    const outcomes = await client.allocateAll([row(1), row(2), row(3)])
    expect(outcomes.map(tagOf)).toEqual(["Timeout", "Timeout", "Timeout"])
    expect(performance.now() - started).toBeGreaterThanOrEqual(95)
    await client.close()
  })

  it("an aborted call rejects with the signal's reason and its neighbours still get their numbers", async () => {
    const server = await serve((_req, res, body) => setTimeout(() => answerEach(res, body), 50))
    const client = createRingPoolClient({ baseUrl: server.url })
    const controller = new AbortController()
    const aborted = client.allocate(row(1), { signal: controller.signal })
    const other = client.allocate(row(2))
    setTimeout(() => controller.abort(new Error("the visitor left")), 10)
    await expect(aborted).rejects.toThrow("the visitor left")
    expect((await other).promoNumber).toBe("8000000002")
    await client.close()
  })

  it("an answer declaring more than maxResponseBytes fails its rows with InvalidResponse, unread", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": 10_000_000 })
      res.write(" ".repeat(1000))
    })
    const client = createRingPoolClient({ baseUrl: server.url, maxResponseBytes: 1_000_000 })
    const outcomes = await client.allocateAll([row(1), row(2)])
    expect(outcomes.map(tagOf)).toEqual(["InvalidResponse", "InvalidResponse"])
    expect(!outcomes[0]!.ok && outcomes[0]!.error.message).toContain(
      "raise maxResponseBytes if the service's answers are this large"
    )
    await client.close()
  })

  it("a chunked answer that grows past maxResponseBytes fails as soon as it does", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      const chunk = `{"responses":[${"1,".repeat(32_000)}`
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return
        res.once("drain", pump)
      }
      pump()
    })
    const client = createRingPoolClient({ baseUrl: server.url, maxResponseBytes: 256 * 1024, timeoutMs: 20_000 })
    const outcomes = await client.allocateAll([row(1)])
    expect(outcomes.map(tagOf)).toEqual(["InvalidResponse"])
    await client.close()
  })

  it("a body cut mid-way fails its rows as sent (Transport), and the client goes on", async () => {
    let calls = 0
    const server = await serve((req, res, body) => {
      if (++calls > 1) return answerEach(res, body)
      res.writeHead(200, { "content-type": "application/json", "content-length": 500 })
      res.write('{"responses":[{"request_id":"')
      setTimeout(() => req.socket.destroy(), 10)
    })
    const client = createRingPoolClient({ baseUrl: server.url, retry: false })
    const cut = await client.allocateAll([row(1), row(2)])
    expect(cut.map(tagOf)).toEqual(["Transport", "Transport"])
    expect((await client.allocate(row(3))).promoNumber).toBe("8000000003")
    await client.close()
  })

  it("a raw TCP server that answers garbage gives every row one failure", async () => {
    const net = createNetServer((socket) => {
      socket.on("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n{]"))
    })
    await new Promise<void>((resolve) => net.listen(0, "127.0.0.1", resolve))
    const { port } = net.address() as AddressInfo
    const client = createRingPoolClient({ baseUrl: `http://127.0.0.1:${port}`, retry: false })
    const outcomes = await client.allocateAll([row(1), row(2), row(3)])
    expect(outcomes).toHaveLength(3)
    expect(outcomes.every((o) => !o.ok)).toBe(true)
    await client.close()
    await new Promise((resolve) => net.close(resolve))
  })
})

describe("memory under an endless answer", () => {
  // A child process runs the built client against an answer that never ends, for the whole time limit; its peak RSS shows
  // whether the answer was held. Unbounded, it grows by gigabytes within seconds.
  it("stays bounded by maxResponseBytes, whatever the server sends", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
        if (!res.destroyed) res.once("drain", pump)
      }
      pump()
    })
    const script = `
      const { createRingPoolClient } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)})
      const client = createRingPoolClient({ baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 3000, maxResponseBytes: 4 * 1024 * 1024, retry: false })
      const started = Date.now()
      let outcomes = []
      while (Date.now() - started < 3000) outcomes.push(...(await client.allocateAll([{ ringPoolId: "7", ringPoolKey: "k", params: { n: "1" } }])))
      await client.close()
      const { readFileSync } = await import("node:fs")
      const peak = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024
      console.log(JSON.stringify({ tags: [...new Set(outcomes.map((o) => o.ok ? "allocated" : o.error.reason._tag))], count: outcomes.length, peak }))
    `
    const result = await new Promise<string>((resolve, reject) => {
      // A heap of 96 MB: a client that kept what it read would die of it within the first seconds.
      const child = spawn(process.execPath, ["--max-old-space-size=96", "--input-type=module", "-e", script], {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, NODE_NO_WARNINGS: "1" }
      })
      let out = ""
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk
      })
      child.on("error", reject)
      child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}`))))
    })
    const { tags, count, peak } = JSON.parse(result) as { tags: Array<string>; count: number; peak: number }
    expect(tags).toEqual(["InvalidResponse"])
    expect(count).toBeGreaterThan(0)
    // Node 24's garbage collector lets more pile up than Node 20's before it collects; either stays far from the
    // gigabytes an unbounded client reaches.
    expect(peak).toBeLessThan(300 * 1024 * 1024)
  })
})
