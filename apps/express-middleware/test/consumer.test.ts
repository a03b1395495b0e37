// The built package as a user gets it: imported from its dist by a plain ESM project and type-checked in a
// TypeScript project, each in a temporary directory with the package symlinked into node_modules.
import { execFile } from "node:child_process"
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, expect, it } from "vitest"
import { packageDir, tsc } from "./support/build.ts"
import { type Fake, pool, startFake } from "./support/harness.ts"

const run = promisify(execFile)

let fake: Fake
const projects: Array<string> = []
beforeAll(async () => {
  fake = await startFake()
})
afterAll(async () => {
  await fake.close()
  for (const dir of projects) await rm(dir, { recursive: true, force: true })
})

const link = async (project: string, name: string, target: string) => {
  const at = join(project, "node_modules", name)
  await mkdir(join(at, ".."), { recursive: true })
  await symlink(await realpath(target), at, "dir")
}

/** A project with the package and Express (and their types) installed, as a user's would have them; `redis` only
 * when asked, since a site without Redis installs nothing for it (an optional peer dependency). */
const project = async (files: Record<string, string>, withRedis = false) => {
  const dir = await mkdtemp(join(tmpdir(), "ringpool-express-consumer-"))
  projects.push(dir)
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  await link(dir, "@ringpool/express", packageDir)
  await link(dir, "express", join(packageDir, "node_modules/express"))
  await link(dir, "@types/express", join(packageDir, "node_modules/@types/express"))
  await link(dir, "@types/node", join(packageDir, "../../node_modules/@types/node"))
  if (withRedis) await link(dir, "redis", join(packageDir, "node_modules/redis"))
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}

it("a plain ESM project, without redis installed, imports the built package and gets a number from the environment's service", async () => {
  const dir = await project({
    "server.js": `
import express from "express"
import { closeSharedClient, ringPool } from "@ringpool/express"

const app = express()
const tracking = ringPool({
  pool: { id: "123", key: process.env.RINGPOOL_KEY },
  params: (req) => ({ m1: String(req.query.m1 ?? "") }),
  fallback: { promoNumber: "8005550100" },
  timeoutMs: 5000
})
app.get("/", tracking, (req, res) => res.json(res.locals.ringPool))
const server = app.listen(0, "127.0.0.1", async () => {
  const response = await fetch("http://127.0.0.1:" + server.address().port + "/?m1=consumer", {
    headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" }
  })
  console.log(JSON.stringify(await response.json()))
  server.close()
  await closeSharedClient()
})
`
  })
  const { stdout } = await run(process.execPath, ["server.js"], {
    cwd: dir,
    env: { ...process.env, RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: pool.key },
    timeout: 20_000
  })
  const [record] = fake.allocations()
  expect(record!.params).toEqual({ m1: "consumer" })
  expect(JSON.parse(stdout)).toEqual({
    source: "allocated",
    promoNumber: record!.promoNumber,
    promoNumberFormatted: expect.stringMatching(/^\d{3}-\d{3}-\d{4}$/),
    trackingUrl: expect.any(String),
    overflow: false
  })
})

it("a TypeScript project type-checks res.locals.ringPool and the options against the built types", async () => {
  const dir = await project(
    {
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          types: ["node"]
        },
        include: ["app.ts"]
      }),
      "app.ts": `
import express, { type Express, type Request, type Response } from "express"
import { memoryStore, type RingPoolLocals, ringPool, RingPoolError, type VisitorStore } from "@ringpool/express"
import { type RedisVisitorStore, redisStore } from "@ringpool/express/redis"

const shared: RedisVisitorStore = redisStore({ url: "redis://127.0.0.1:6379", prefix: "ringpool:" })
const closing: Promise<void> = shared.close()
// @ts-expect-error: the URL is required
redisStore({ prefix: "x" })

const store: VisitorStore = memoryStore({ max: 1000 })
const app: Express = express()
const tracking = ringPool({
  pool: (req) => ({ id: req.hostname === "boats.example" ? "456" : "123", key: process.env.RINGPOOL_KEY }),
  params: (req) => ({ m1: String(req.query.utm_source ?? "") }),
  fallback: { promoNumber: "8005550100" },
  timeoutMs: 250,
  failOpen: true,
  onError: (error, req) => console.warn(req.path, error.message),
  skip: (req) => req.method !== "GET",
  sticky: { cookieName: "visitor", ttlSeconds: 1800, store }
})
app.use(tracking)
app.use(ringPool({ pool: { id: "1" }, params: { m1: "" }, sticky: { store: shared, secret: [String(process.env.SECRET)] } }))

app.get("/", (_req: Request, res: Response) => {
  const number: RingPoolLocals | undefined = res.locals.ringPool
  const maybeDigits: string | undefined = res.locals.ringPool?.promoNumber
  // Any test of source narrows: past "allocated" and "sticky" are the untracked ones, with their error.
  if (number !== undefined && number.source !== "allocated" && number.source !== "sticky") {
    const why: Error | undefined = number.error
    console.warn(why?.message, RingPoolError.isRingPoolError(why))
  }
  if (number?.source === "allocated" || number?.source === "sticky") {
    const digits: string = number.promoNumber
    const overflow: boolean = number.overflow
    res.send(digits + String(overflow))
    return
  }
  if (number?.source === "fallback" && number.error instanceof RingPoolError.RingPoolError) {
    const tag: string = number.error.reason._tag
    console.warn(tag)
  }
  // @ts-expect-error: the source is one of "allocated", "sticky", "fallback", "skipped"
  const wrong: "cached" | undefined = number?.source
  // @ts-expect-error: without a number of its own the page may have none
  const alwaysDigits: string = res.locals.ringPool!.promoNumber
  res.send(String(maybeDigits) + String(wrong) + alwaysDigits)
})

const stats: number = tracking.stats().views.allocated
// @ts-expect-error: an unknown option is a type error too
ringPool({ pool: { id: "1" }, params: { m1: "" }, timeout: 5 })
// @ts-expect-error: params values are strings
ringPool({ pool: { id: "1" }, params: { m1: 5 } })
export { app, closing, stats }
`
    },
    true
  )
  const result = await run(tsc, ["-p", "tsconfig.json"], { cwd: dir }).then(
    () => ({ code: 0, output: "" }),
    (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout })
  )
  expect(result.output).toBe("")
  expect(result.code).toBe(0)
})
