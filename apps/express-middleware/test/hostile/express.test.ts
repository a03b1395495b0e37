// The middleware tried as an attacker would, over loopback: a transport that cannot start, forged visitor ids,
// bursts, bad configuration, hostile cookies, huge headers, aborted requests, a hostile service behind the client.
// Every case asserts the same four things: a page for every request within the budget; no ring pool key, in any
// form or any 6-character piece, in any page, header, error, log line or output; no unhandled rejection; and the
// process still serving afterwards.
import { execFile } from "node:child_process"
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { connect } from "node:net"
import { fileURLToPath } from "node:url"
import { inspect, promisify } from "node:util"
import { createRingPoolClient } from "@ringpool/core"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from "vitest"
import { type RingPoolOptions, ringPool } from "../../src/index.ts"
import type { Fake, PageBody, Site } from "../support/harness.ts"
import { startSite } from "../support/harness.ts"
import { desktopUserAgent } from "../support/pageView.ts"
import { recordingStore } from "../support/recordingStore.ts"

// A key with the characters that change under encoding (a space, a plus, a slash), so every form is tried.
const key = "Zq7Vx Pk+3mW/Lr9Tf"
const otherKey = "hN4 wQ+8yE/cV2uJ"
const keys = [key, otherKey]
const pool = { id: "123", key }
const fallback = { promoNumber: "8005550100" }
const timeoutMs = 1_000
// Machines are shared and noisy: pages must come within the budget plus this, never in the service's own time.
const margin = 1_000

// --- what every case checks --------------------------------------------------------------------------------------

/** Every form a key can take in a URL or a form, and every 6-character piece of each: written independently of
 * the core's masking, so the test does not grade the code with its own answer. */
const piecesOf = (secret: string): Set<string> => {
  const encoded = encodeURIComponent(secret)
  const forms = [
    secret,
    secret.replace(/ /g, "+"),
    encoded,
    encoded.replace(/%20/g, "+"),
    encoded.replace(/%[0-9A-F]{2}/g, (triplet) => triplet.toLowerCase())
  ]
  const pieces = new Set<string>()
  for (const form of forms) for (let i = 0; i + 6 <= form.length; i++) pieces.add(form.slice(i, i + 6))
  return pieces
}
const pieces = keys.flatMap((secret) => [...piecesOf(secret)])

const expectNoKey = (texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    const found = pieces.find((piece) => text.includes(piece))
    if (found !== undefined)
      expect.fail(`a piece of a ring pool key (${JSON.stringify(found)}) in: ${text.slice(0, 300)}`)
  }
}

/** Everything a person or a log could read of an error: message, String, JSON, stack, inspect, and its causes. */
const textsOfError = (error: unknown): Array<string> => {
  const texts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const asError = current as Error
    texts.push(String(current), JSON.stringify(current) ?? "", inspect(current, { depth: 6 }))
    if (current instanceof Error) texts.push(asError.message, asError.stack ?? "")
    current = (current as { cause?: unknown }).cause
  }
  return texts
}

interface Observed {
  readonly output: Array<string>
  readonly errors: Array<Error>
  readonly rejections: Array<unknown>
}

let observed: Observed
const onRejection = (reason: unknown) => observed.rejections.push(reason)

beforeEach(() => {
  observed = { output: [], errors: [], rejections: [] }
  process.on("unhandledRejection", onRejection)
  // What the process writes while the case runs: console lines and any raw write.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream)
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: Array<never>) => {
      observed.output.push(String(chunk))
      return write(chunk as string, ...rest)
    }) as typeof stream.write)
  }
})

afterEach(async () => {
  // Rejections surface after a turn of the event loop: give them one before looking.
  await new Promise((resolve) => setTimeout(resolve, 50))
  process.off("unhandledRejection", onRejection)
  vi.restoreAllMocks()
  expect(observed.rejections.map((reason) => String(reason))).toEqual([])
  expectNoKey([...observed.output, ...observed.errors.flatMap(textsOfError)])
})

// --- a site and its page views ----------------------------------------------------------------------------------

let fake: Fake
const sites: Array<Site> = []
const services: Array<{ close: () => Promise<void> }> = []

beforeAll(async () => {
  fake = await startFakeRingPoolServer({
    pools: [
      { id: "123", key, size: 3_000 },
      { id: "456", key: otherKey, size: 50 }
    ],
    port: 0
  })
})
afterEach(async () => {
  await Promise.all(sites.splice(0).map((site) => site.close()))
  await Promise.all(services.splice(0).map((service) => service.close()))
  fake.reset()
})
afterAll(() => fake.close())

const open = async (options: Partial<RingPoolOptions>, baseUrl = fake.url): Promise<Site> => {
  const client = createRingPoolClient({ baseUrl, timeoutMs: 10_000 })
  services.push({ close: () => client.close().catch(() => undefined) })
  const site = await startSite({
    pool,
    params: (req) => ({ m1: String(req.query.m1 ?? "") }),
    client,
    fallback,
    timeoutMs,
    onError: (error) => observed.errors.push(error),
    ...options
  })
  sites.push(site)
  return site
}

interface View {
  readonly status: number
  readonly body: PageBody | undefined
  readonly text: string
  readonly headers: string
  readonly elapsedMs: number
  readonly setCookie: string | undefined
}

const maxBody = 256 * 1024

const view = (base: string, path = "/page", extraHeaders: Record<string, string> = {}): Promise<View> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const req = httpRequest(
      new URL(path, base),
      { agent: false, headers: { "User-Agent": desktopUserAgent, ...extraHeaders } },
      (res: IncomingMessage) => {
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (chunk: string) => {
          if (text.length < maxBody) text += chunk
        })
        res.on("end", () => {
          let body: PageBody | undefined
          try {
            body = JSON.parse(text) as PageBody
          } catch {}
          resolve({
            status: res.statusCode ?? 0,
            body,
            text,
            headers: JSON.stringify(res.headers),
            elapsedMs: performance.now() - started,
            setCookie: res.headers["set-cookie"]?.find((line) => line.startsWith("ringpool_visitor="))?.split(";")[0]
          })
        })
      }
    )
    req.on("error", reject)
    req.end()
  })

/** The case's common checks on its page views: each a page within the budget, none showing a key. */
const expectPages = (views: ReadonlyArray<View>, budgetMs = timeoutMs) => {
  for (const page of views) {
    expect(page.status).toBe(200)
    expect(page.elapsedMs).toBeLessThan(budgetMs + margin)
    expect(page.body?.source).toMatch(/^(allocated|sticky|fallback|skipped)$/)
    if (page.body?.source !== "allocated" && page.body?.source !== "sticky") {
      expect(page.body?.promoNumber).toBe("8005550100")
    }
  }
  expectNoKey(views.flatMap((page) => [page.text, page.headers]))
}

/** Still serving: a plain page view after the case gets a page. */
const expectStillServing = async (site: Site) => {
  const after = await view(site.url, "/page?m1=afterwards")
  expectPages([after])
  return after
}

// --- the cases --------------------------------------------------------------------------------------------------

// Issue 9: a client whose HTTP layer fails to build (an undici that cannot load, a layer that throws or dies) must
// never reach the process as an unhandled rejection. Run in a plain node process, on Node's default of ending the
// process on one, with the layers built from the core's own Effect.
it("a transport that cannot start: every page gets the fallback, and the process, on Node's defaults, keeps serving", async () => {
  const script = fileURLToPath(new URL("./fixtures/transportThatCannotStart.mjs", import.meta.url))
  // Node's own default for unhandled rejections (throw: the process ends), whatever the test runner set.
  const env = { ...process.env, NODE_OPTIONS: "--unhandled-rejections=throw" }
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, key], { env, timeout: 30_000 })
  const results = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { name: string; pages: Array<Record<string, string>> })
  expect(results.map((result) => result.name)).toEqual(["fails", "dies", "throws", "fails later", "afterwards"])
  for (const result of results) {
    expect(result.pages.length).toBeGreaterThan(0)
    for (const page of result.pages) {
      expect(page).toEqual({
        source: "fallback",
        promoNumber: "8005550100",
        reason: "Transport",
        error: expect.stringMatching(/the transport could not start: (TypeError: )?Cannot read properties of undefined/)
      })
    }
  }
  expectNoKey([stdout, stderr])
  // What it wrote on stderr is the default onError's warnings, not a crash report.
  for (const line of stderr.trim().split("\n")) expect(line).toMatch(/^@ringpool\/express: Could not reach/)
})

it("forged visitor ids with a secret: none is adopted, the store never sees one", async () => {
  const { store, log } = recordingStore()
  const site = await open({ sticky: { secret: "a-secret-of-at-least-32-characters!!", store } })
  const genuine = (await view(site.url)).setCookie!
  const [, signature] = genuine.split(".")
  const forgedIds = new Set(Array.from({ length: 200 }, (_, i) => `F${String(i).padStart(21, "0")}`))
  const forged = [...forgedIds].map((id, i) => (i % 2 === 0 ? id : `${id}.${signature}`))
  const views = await Promise.all(
    forged.map((cookie) => view(site.url, "/page", { Cookie: `ringpool_visitor=${cookie}` }))
  )
  expectPages(views)
  expect(views.every((page) => page.body?.source === "allocated")).toBe(true)
  expect(log.filter((entry) => forgedIds.has(entry.key.split("/")[0]!))).toEqual([])
  expect(views.filter((page) => forgedIds.has(page.setCookie!.slice("ringpool_visitor=".length, 39)))).toEqual([])
  await expectStillServing(site)
})

it("2,000 simultaneous page views in front of a service that never answers: each page in its budget, with the fallback", async () => {
  const silent = await silentService()
  const site = await open({ timeoutMs: 500 }, silent.url)
  const views = await Promise.all(Array.from({ length: 2_000 }, (_, i) => view(site.url, `/page?m1=b${i}`)))
  // Generous on purpose: 2,000 connections at once on a shared 2-core machine, with other test files running
  // beside this one, queue in the kernel and in this process before the middleware sees them. Benchmark 6
  // measures the real figure (how long the server holds a page past its budget).
  expectPages(views, 500 + 5_000)
  expect(views.every((page) => page.body?.source === "fallback")).toBe(true)
  expect(observed.errors.length).toBe(2_000)
  await expectStillServing(site)
}, 60_000)

it("bad configuration: a clear TypeError at creation that never shows the key; bad results at request time get the fallback", async () => {
  const client = createRingPoolClient({ baseUrl: fake.url })
  services.push({ close: () => client.close() })
  const bad: Array<Record<string, unknown>> = [
    { pool: { id: "", key } },
    { pool: { id: "1", key, secret: key } },
    { pool: { id: "1", key: [key] } },
    { pool: key },
    { params: { ring_pool_key: key } },
    { params: [[key]] },
    { params: { m1: 5 } },
    { fallback: { number: key } },
    { timeoutMs: key },
    { sticky: { secret: key } },
    { sticky: { cookieName: key } },
    { skip: key },
    { onError: key },
    { [key]: true },
    { client: { allocate: key } }
  ]
  for (const options of bad) {
    let thrown: unknown
    try {
      ringPool({ pool, params: { m1: "" }, client, ...options } as RingPoolOptions)
    } catch (error) {
      thrown = error
    }
    expect(thrown, JSON.stringify(Object.keys(options))).toBeInstanceOf(TypeError)
    expect((thrown as Error).message).toMatch(/^ringPool\(\): /)
    observed.errors.push(thrown as Error)
  }
  // Results of the pool and params functions are checked on every page view.
  const hostile: Array<[string, () => unknown]> = [
    ["pool is the key", () => key],
    ["pool key a number", () => ({ id: "123", key: 42 })],
    [
      "pool with a getter that throws",
      () => ({
        id: "123",
        get key(): string {
          throw new Error("vault down")
        }
      })
    ],
    ["params naming the key", () => ({ ring_pool_key: key })],
    ["params [null]", () => [null]],
    ["params [1]", () => [1]],
    [
      "params with a getter that throws",
      () => ({
        get m1(): string {
          throw new Error("crm down")
        }
      })
    ],
    ["params a rejected promise", () => Promise.reject(new Error("campaign service down"))],
    ["params never settling", () => new Promise(() => {})]
  ]
  let step = 0
  const site = await open({
    pool: (req) => (req.query.part === "pool" ? (hostile[step]![1]() as typeof pool) : pool),
    params: (req) => (req.query.part === "params" ? (hostile[step]![1]() as Record<string, string>) : { m1: "ok" })
  })
  for (step = 0; step < hostile.length; step++) {
    const part = hostile[step]![0].startsWith("pool") ? "pool" : "params"
    const page = await view(site.url, `/page?part=${part}`)
    expectPages([page])
    expect(page.body?.source, hostile[step]![0]).toBe("fallback")
  }
  expect(fake.allocations()).toEqual([])
  await expectStillServing(site)
})

it("hostile cookies: huge, many, malformed, duplicated, prototype names; each gets a page and an id of the site's own", async () => {
  const site = await open({})
  const genuine = (await view(site.url)).setCookie!
  const cookies = [
    `ringpool_visitor=${"A".repeat(8_000)}`,
    Array.from({ length: 500 }, (_, i) => `c${i}=${i}`).join("; "),
    "ringpool_visitor=%E0%A4%A; other=%%%",
    `ringpool_visitor=AAAAAAAAAAAAAAAAAAAAA!; ${genuine}`,
    "ringpool_visitor=; ringpool_visitor=",
    '__proto__=x; constructor=y; ringpool_visitor="quoted-value-here-000"',
    "ringpool_visitor=\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
    ";;;=;=;ringpool_visitor",
    `ringpool_visitor=${key}`
  ]
  const views: Array<View> = []
  for (const cookie of cookies) views.push(await view(site.url, "/page", { Cookie: cookie }))
  expectPages(views)
  for (const page of views) expect(page.body?.source).toBe("allocated")
  // A cookie of ours still works after all of that.
  expect((await view(site.url, "/page", { Cookie: genuine })).body?.source).toBe("sticky")
  await expectStillServing(site)
})

it("huge headers: a user agent too long to be a browser's is skipped unmatched; past Node's limit, 431; still serving", async () => {
  const site = await open({})
  const longAgent = `Mozilla/5.0 ${"(X11; Linux x86_64) ".repeat(700)}`
  const skipped = await view(site.url, "/page", { "User-Agent": longAgent })
  expectPages([skipped])
  expect(skipped.body?.source).toBe("skipped")
  const manyHeaders = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`x-h${i}`, "v".repeat(20)]))
  expectPages([await view(site.url, "/page", manyHeaders)])
  const tooBig = await view(site.url, "/page", { "X-Padding": "p".repeat(20_000) }).catch((error: Error) => error)
  // Node refuses it before Express sees it (431, or the connection closed): no page, no allocation, no crash.
  if (!(tooBig instanceof Error)) expect(tooBig.status).toBe(431)
  expect(fake.allocations().filter((record) => record.params.m1 !== "")).toEqual([])
  await expectStillServing(site)
})

it("aborted requests: visitors who leave before their number arrives break nothing", async () => {
  fake.inject({ fault: "delay", ms: 300, times: "always" })
  const site = await open({})
  const { port } = new URL(site.url)
  await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(port), "127.0.0.1", () => {
            socket.write(`GET /page?m1=gone${i} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${desktopUserAgent}\r\n\r\n`)
            setTimeout(() => socket.destroy(), i % 3 === 0 ? 0 : 50)
          })
          socket.on("close", () => resolve())
          socket.on("error", () => resolve())
        })
    )
  )
  // The allocations finish after the visitors left; their pages are written to closed sockets.
  await new Promise((resolve) => setTimeout(resolve, 600))
  fake.reset()
  const after = await expectStillServing(site)
  expect(after.body?.source).toBe("allocated")
})

it("a hostile service behind the client: key-echoing bodies, bad JSON, huge and trickling answers, resets", async () => {
  const service = await hostileService()
  const site = await open({}, service.url)
  for (const behaviour of hostileBehaviours) {
    service.behave(behaviour)
    const views = await Promise.all(Array.from({ length: 5 }, (_, i) => view(site.url, `/page?m1=${behaviour}${i}`)))
    expectPages(views)
    for (const page of views) expect(page.body?.source, behaviour).toBe("fallback")
  }
  expect(observed.errors.length).toBeGreaterThanOrEqual(5 * hostileBehaviours.length)
  service.behave("ok")
  await expectStillServing(site)
}, 60_000)

// --- hostile services -------------------------------------------------------------------------------------------

const listen = async (server: Server) => {
  server.listen(0, "127.0.0.1")
  await new Promise((resolve) => server.once("listening", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  services.push({ close })
  return { url, close }
}

const silentService = () => listen(createServer(() => {}))

const hostileBehaviours = [
  "echo every form of the key in a 500",
  "echo the key in a top-level error body",
  "row errors that quote the key",
  "bad JSON around the key",
  "a huge answer made of the key",
  "trickle past the budget",
  "reset mid-answer"
] as const

type Behaviour = (typeof hostileBehaviours)[number] | "ok"

const everyForm = [
  key,
  encodeURIComponent(key),
  key.replace(/ /g, "+"),
  encodeURIComponent(key).toLowerCase(),
  key.slice(3, 12),
  `ring_pool_key=${encodeURIComponent(key)}`
].join(" | ")

/** A bulk endpoint that answers as told, reading at most 1 MiB of each request. */
const hostileService = async () => {
  let behaviour: Behaviour = "ok"
  const server = createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => {
      if (body.length < 1024 * 1024) body += chunk
    })
    req.on("end", () => {
      const ids = [...body.matchAll(/"request_id":"([^"]+)"/g)].map((match) => match[1]!)
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "processing-time": "1" })
        res.end(JSON.stringify(value))
      }
      switch (behaviour) {
        case "ok":
          return json(200, {
            responses: ids.map((id, i) => ({
              request_id: id,
              promo_number: `866971${String(5700 + i).padStart(4, "0")}`,
              promo_number_formatted: "866-971-5700"
            }))
          })
        case "echo every form of the key in a 500":
          res.writeHead(500, { "content-type": "text/plain" })
          return res.end(`internal error for ${everyForm}`)
        case "echo the key in a top-level error body":
          return json(401, { errors: { class: "InvalidKey", invalid_data: `API Key '${key}' rejected: ${everyForm}` } })
        case "row errors that quote the key":
          return json(200, {
            responses: ids.map((id) => ({
              request_id: id,
              error_class: "InvalidKey",
              message: `API Key '${key}' is not valid for resource '123' (${everyForm})`
            }))
          })
        case "bad JSON around the key":
          res.writeHead(200, { "content-type": "application/json" })
          return res.end(`{"responses":[{"request_id":"${ids[0]}","message":"${everyForm}"`)
        case "a huge answer made of the key": {
          res.writeHead(200, { "content-type": "application/json" })
          const chunk = `${everyForm} `.repeat(1_000)
          let written = 0
          const more = () => {
            while (written < 6 * 1024 * 1024) {
              written += chunk.length
              if (!res.write(chunk)) return res.once("drain", more)
            }
            res.end()
          }
          return more()
        }
        case "trickle past the budget": {
          res.writeHead(200, { "content-type": "application/json" })
          const timer = setInterval(() => res.write(" "), 100)
          res.on("close", () => clearInterval(timer))
          return
        }
        case "reset mid-answer":
          res.writeHead(200, { "content-type": "application/json" })
          res.write(`{"responses":[{"request_id":"${ids[0]}","message":"${key}`)
          return setTimeout(() => res.socket?.destroy(), 10)
      }
    })
  })
  const listening = await listen(server)
  return { ...listening, behave: (next: Behaviour) => (behaviour = next) }
}
