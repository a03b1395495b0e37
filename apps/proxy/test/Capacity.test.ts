/**
 * What all bulk callers together may hold: a body that stalls, a body of many tiny rows, a body that drips. Each is
 * answered in the Bulk API's error form, soon, and the proxy goes on serving the others.
 */
import { connect, type Socket } from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { get, postJson } from "./support/http.ts"
import { key, type Setup, start } from "./support/proxy.ts"

const budgetMs = 1_500
let setup: Setup
beforeAll(async () => {
  setup = await start({ timeoutMs: budgetMs })
})
afterAll(() => setup.close())

const bulkHead = (length: number) =>
  `POST /api/2013-07-01/bulk.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

/** A connection that sent `text` and reads what comes back. */
const opened = async (text: string) => {
  const { hostname, port } = new URL(setup.proxy.url)
  const socket: Socket = connect(Number(port), hostname)
  await new Promise((resolve) => socket.once("connect", resolve))
  let answer = ""
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    answer += chunk
  })
  socket.write(text)
  return { socket, answer: () => answer }
}

const errorOf = (body: string) => (JSON.parse(body) as { errors: { class: string } }).errors.class

describe("what bulk callers may hold together", () => {
  it("bodies that stall hold their declared size: past 64 MiB of them a caller gets 503 ProxyBusy at once, and the others are still served", async () => {
    // 64 bodies that declare the 1 MiB limit and send nothing more: the proxy's whole allowance.
    const stalled = await Promise.all(Array.from({ length: 64 }, () => opened(bulkHead(1024 * 1024))))
    const busy = await postJson(setup.bulkUrl, {
      requests: [{ api_suffix: `1/allocate_number.json?ring_pool_key=${key}&m1=a` }]
    })
    assert.strictEqual(busy.status, 503, busy.body)
    assert.strictEqual(errorOf(busy.body), "ProxyBusy")
    // The single API holds no body: it is served all the while.
    const single = await get(setup.single(`ring_pool_key=${key}&m1=a`))
    assert.strictEqual(single.status, 200)
    // Each stalled body ends with the budget (408), and gives its share back.
    for (const { socket } of stalled) socket.destroy()
    for (let tries = 0; ; tries++) {
      const again = await postJson(setup.bulkUrl, {
        requests: [{ api_suffix: `1/allocate_number.json?ring_pool_key=${key}&m1=b` }]
      })
      if (again.status === 200) break
      if (tries > 200) assert.fail(`the allowance never came back: ${again.status} ${again.body}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  })

  it("a body of more than 10,000 rows gets 413 TooManyRows, and nothing is sent", async () => {
    setup.fake.reset()
    const reply = await postJson(setup.bulkUrl, { requests: Array.from({ length: 10_001 }, () => ({})) })
    assert.strictEqual(reply.status, 413, reply.body)
    assert.strictEqual(errorOf(reply.body), "TooManyRows")
    assert.isBelow(reply.body.length, 500)
    assert.strictEqual(setup.fake.calls().length, 0)
  })

  it("a body that drips past the budget gets 408 RequestTimeout within it", async () => {
    const started = performance.now()
    const dripping = await opened(`${bulkHead(1000)}{"requests":[`)
    const timer = setInterval(() => dripping.socket.write(" "), 100)
    try {
      while (!dripping.answer().includes("\r\n\r\n{")) {
        if (performance.now() - started > budgetMs + 2_000) assert.fail(`no answer: ${dripping.answer()}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    } finally {
      clearInterval(timer)
      dripping.socket.destroy()
    }
    const answer = dripping.answer()
    assert.match(answer, /^HTTP\/1\.1 408 /)
    assert.strictEqual(errorOf(answer.slice(answer.indexOf("\r\n\r\n") + 4)), "RequestTimeout")
    assert.isBelow(performance.now() - started, budgetMs + 1_000)
  })
})
