// Its own file: the core reads the environment once per process, so a bad environment cannot share a process
// with the tests of a good one.
import { expect, it } from "vitest"
import { ringPool } from "../src/index.ts"

it("a bad RINGPOOL_* environment throws when the middleware is created, saying what to do", () => {
  process.env.RINGPOOL_BASE_URL = "pnapi.invoca.net"
  process.env.RINGPOOL_KEY = "secret-pool-key"
  let thrown: unknown
  try {
    ringPool({ pool: { id: "123" }, params: { m1: "" } })
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(TypeError)
  expect((thrown as Error).message).toBe(
    'ringPool(): the RINGPOOL_* environment does not make a client (ringpool: baseUrl must be an http(s) URL such as https://pnapi.invoca.net, got "pnapi.invoca.net"); fix it, or pass client: createRingPoolClient({ ... })'
  )
  expect((thrown as Error).message).not.toContain("secret-pool-key")
})
