/**
 * Connections as callers leave them: one that sent a head Node refused and never reads, one that asks
 * `Expect: 100-continue` for a body past the limit. The proxy answers each and lets go of its socket.
 */
import { readdirSync } from "node:fs"
import { connect, type Socket } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { rawExchange } from "./support/http.ts"
import { type Setup, start } from "./support/proxy.ts"

let setup: Setup
beforeAll(async () => {
  setup = await start({ maxBodyBytes: 1024 })
})
afterAll(() => setup.close())

const openDescriptors = () => readdirSync("/proc/self/fd").length

describe("connections", () => {
  it("a caller that never reads the answer to a refused head does not keep the proxy's socket", async () => {
    const { hostname, port } = new URL(setup.proxy.url)
    const before = openDescriptors()
    const callers: Array<Socket> = []
    for (let i = 0; i < 40; i++) {
      const socket = connect(Number(port), hostname)
      // Never read: the proxy's answer stays unread, its FIN unseen.
      socket.pause()
      await new Promise((resolve) => socket.once("connect", resolve))
      socket.write("BOGUS / HTTP/1.1\r\nHost: x\r\n\r\n")
      callers.push(socket)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Both ends of each connection are in this process: the callers' 40, and the proxy's 40 until it lets go.
    assert.isAtLeast(openDescriptors() - before, 40)
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const held = openDescriptors() - before
    for (const socket of callers) socket.destroy()
    assert.isAtMost(held, 40 + 2, "the proxy's sockets are closed; only the callers' remain")
  })

  it("Expect: 100-continue for a body past the limit gets 413 at once, not an invitation to send it", async () => {
    const answer = await rawExchange(
      setup.proxy.url,
      "POST /api/2013-07-01/bulk.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99000000\r\nExpect: 100-continue\r\n\r\n"
    )
    assert.match(answer, /^HTTP\/1\.1 413 /)
    assert.notInclude(answer, "100 Continue")
  })

  it("a head Node refuses is answered with its status's own reason phrase", async () => {
    const answer = await rawExchange(
      setup.proxy.url,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(40_000)}\r\n\r\n`
    )
    assert.match(answer, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
  })
})
