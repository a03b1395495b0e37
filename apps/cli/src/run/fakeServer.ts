/**
 * What `ringpool fake-server` does: runs the testkit's fake on a port until Ctrl-C or SIGTERM, then closes its
 * connections and exits 0.
 */
import { readFile } from "node:fs/promises"
import { type Pool, startFakeRingPoolServer } from "@ringpool/testkit"
import * as CliFailure from "../CliFailure.ts"
import type { Input } from "../commands/fakeServer.ts"
import * as FileError from "../FileError.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Signals from "../Signals.ts"

/**
 * A pools file is a JSON array of pools (`[{"id":"123","key":"...","size":5}]`) or an object with a `pools` array.
 * The testkit checks each pool and says what to write instead, without quoting keys.
 */
const readPools = async (path: string): Promise<ReadonlyArray<Pool.PoolOptions>> => {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    throw CliFailure.usage(`cannot read the pools file ${path}: ${FileError.describe(error)}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw CliFailure.usage(`the pools file ${path} is not valid JSON`)
  }
  const pools = Array.isArray(value)
    ? value
    : value !== null && typeof value === "object" && Array.isArray((value as { pools?: unknown }).pools)
      ? (value as { pools: Array<unknown> }).pools
      : undefined
  if (pools === undefined) {
    throw CliFailure.usage(
      `the pools file ${path} must hold an array of pools, e.g. [{"id":"123","key":"...","size":5}]`
    )
  }
  return pools as ReadonlyArray<Pool.PoolOptions>
}

const withoutPrefix = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/^@ringpool\/testkit: /, "")

export const run = async ({ flags }: Input): Promise<number> => {
  const pools = flags.pools === undefined ? undefined : await readPools(flags.pools)
  const where = { port: flags.port ?? 0, host: flags.host ?? "127.0.0.1" }
  // Listening before the server starts: a signal during start-up still stops it cleanly.
  const stop = Signals.onStop()
  try {
    const server = await startFakeRingPoolServer(pools === undefined ? where : { ...where, pools }).catch(
      (error: unknown) => {
        throw CliFailure.usage(withoutPrefix(error))
      }
    )
    try {
      // The URL alone on stdout (the one thing a script needs); everything else goes to stderr.
      await Stdout.write(`${server.url}\n`)
      const ids = (pools ?? [{ id: "demo" }]).map((pool) => String(pool.id)).join(", ")
      process.stderr.write(`ringpool fake-server: serving pool ${ids} at ${server.url}; Ctrl-C stops it\n`)
      await stop.stopped
      process.stderr.write("ringpool fake-server: stopped\n")
      return 0
    } finally {
      await server.close()
    }
  } finally {
    stop.dispose()
  }
}
