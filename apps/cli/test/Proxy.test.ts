/**
 * `ringpool proxy` as a process: prints its URL, serves the single API through the fake, keeps the key out of
 * its stdout, stderr, /metrics and OTLP export, and on SIGTERM answers what is in flight and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer, type Server } from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { bin, cleanEnv, ringpool } from "./support/cli.ts"

const key = "Zb41d77-qx9Kw"
const wrongKey = "Wc9e12-vj3Tn"
const pools = [{ id: "7", key, size: 50 }]

interface Running {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => { stdout: string; stderr: string }
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts the command; resolves once it serves (its URL on stdout and its "serving" line on stderr). */
const startCommand = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Running> => {
  const child = spawn(process.execPath, [bin, "proxy", ...args], {
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  return new Promise((resolve, reject) => {
    // The "serving" line is written just before the command waits for a signal: a signal after it is a stop.
    const ready = () => {
      if (stdout.includes("\n") && stderr.includes("ringpool proxy: serving")) {
        resolve({ child, url: stdout.split("\n")[0]!, output: () => ({ stdout, stderr }), exited })
      }
    }
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      ready()
    })
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
      ready()
    })
    child.on("exit", () => reject(new Error(`ringpool proxy exited early: ${stderr}`)))
  })
}

const assertNoPieceOf = (text: string, secret: string, where: string) => {
  for (let i = 0; i + 6 <= secret.length; i++) assert.notInclude(text, secret.slice(i, i + 6), where)
}

const collector = async (): Promise<{ server: Server; url: string; bodies: Array<string> }> => {
  const bodies: Array<string> = []
  const server = createServer((req, res) => {
    let body = ""
    req.setEncoding("latin1").on("data", (chunk: string) => {
      body += chunk
    })
    req.on("end", () => {
      bodies.push(body)
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  return {
    server,
    url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`,
    bodies
  }
}

describe("ringpool proxy", () => {
  it("serves through the fake, never prints or exports the key, and stops on SIGTERM after answering", async () => {
    const fake = await startFakeRingPoolServer({ pools })
    const otlp = await collector()
    try {
      const proxy = await startCommand(["--port", "0", "--base-url", fake.url, "--timeout-ms", "5000"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json"
      })
      assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const single = (query: string, format = "json") =>
        `${proxy.url}/api/2015-12-09/ring_pools/7/allocate_number.${format}?${query}`

      const ok = await fetch(single(`ring_pool_key=${key}&site=autos`))
      assert.strictEqual(ok.status, 200)
      const answer = (await ok.json()) as { promo_number: string }
      assert.strictEqual(answer.promo_number, fake.allocations()[0]!.promoNumber)
      const refused = await fetch(single(`ring_pool_key=${wrongKey}&site=autos`, "xml"))
      assert.strictEqual(refused.status, 403)
      assertNoPieceOf(await refused.text(), wrongKey, "the InvalidKey answer")
      const metrics = await (await fetch(`${proxy.url}/metrics`)).text()
      assert.include(metrics, "ringpool_rows_total")
      assertNoPieceOf(metrics, key, "/metrics")

      // A request still waiting on a slow service when SIGTERM arrives gets its answer before the exit.
      fake.inject({ fault: "delay", ms: 400 })
      const slow = fetch(single(`ring_pool_key=${key}&site=late`, "csv"))
      while (fake.calls().length < 3) await new Promise((resolve) => setTimeout(resolve, 5))
      proxy.child.kill("SIGTERM")
      const late = await slow
      assert.strictEqual(late.status, 200)
      assert.include(await late.text(), fake.allocations()[1]!.promoNumber)
      assert.deepStrictEqual(await proxy.exited, { code: 0, signal: null })

      const { stdout, stderr } = proxy.output()
      assert.strictEqual(stdout, `${proxy.url}\n`)
      assert.include(stderr, "ringpool proxy: serving the single RingPool API")
      assert.include(stderr, "ringpool proxy: stopped")
      assert.notInclude(stderr, "warning")
      assert.isNotEmpty(otlp.bodies)
      for (const [where, text] of [
        ["stdout", stdout],
        ["stderr", stderr],
        ["the OTLP export", otlp.bodies.join("\n")]
      ] as const) {
        assertNoPieceOf(text, key, where)
        assertNoPieceOf(text, wrongKey, where)
      }
    } finally {
      await fake.close()
      await new Promise((resolve) => otlp.server.close(resolve))
    }
  })

  it("warns, in one line, when it listens where other machines can reach it", async () => {
    const proxy = await startCommand(["--port", "0", "--host", "0.0.0.0", "--base-url", "http://127.0.0.1:9"])
    proxy.child.kill("SIGINT")
    assert.deepStrictEqual(await proxy.exited, { code: 0, signal: null })
    const warnings = proxy
      .output()
      .stderr.split("\n")
      .filter((line) => line.includes("warning"))
    assert.strictEqual(warnings.length, 1)
    assert.include(warnings[0], "has no authentication of its own")
  })

  it("exits 1 with one line for a port in use or a wrong flag", async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve))
    const port = String((holder.address() as { port: number }).port)
    try {
      const [taken, budget, baseUrl] = await Promise.all([
        ringpool(["proxy", "--port", port]),
        ringpool(["proxy", "--port", "0", "--timeout-ms", "3000000000"]),
        ringpool(["proxy", "--port", "0", "--base-url", "pnapi.invoca.net"])
      ])
      assert.deepStrictEqual([taken.code, taken.stdout], [1, ""])
      assert.strictEqual(taken.stderr, `ringpool: port ${port} on 127.0.0.1 is in use: choose another with --port\n`)
      assert.strictEqual(budget.code, 1)
      assert.match(budget.stderr, /^ringpool proxy: --timeout-ms must be a whole number from 1 to 2147483647/)
      assert.strictEqual(baseUrl.code, 1)
      assert.match(baseUrl.stderr, /^ringpool: --base-url \/ RINGPOOL_BASE_URL must be an http\(s\) URL/)
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })
})
