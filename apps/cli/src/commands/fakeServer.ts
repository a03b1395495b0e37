/**
 * `ringpool fake-server`: the testkit's fake of the service on a real port, for trying the other commands and for
 * test suites in other languages. Runs until Ctrl-C or SIGTERM, then closes its connections and exits 0.
 */
import { readFile } from "node:fs/promises"
import { type Pool, startFakeRingPoolServer } from "@ringpool/testkit"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import * as CliFailure from "../CliFailure.ts"
import * as FileError from "../FileError.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Signals from "../Signals.ts"

/**
 * A pools file is a JSON array of pools (`[{"id":"123","key":"...","size":5}]`) or an object with a `pools` array.
 * The testkit checks each pool and says what to write instead, without quoting keys.
 */
const readPools = (path: string): Effect.Effect<ReadonlyArray<Pool.PoolOptions>, CliFailure.CliFailure> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(path, "utf8"),
      catch: (error) => CliFailure.usage(`cannot read the pools file ${path}: ${FileError.describe(error)}`)
    })
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return yield* CliFailure.usage(`the pools file ${path} is not valid JSON`)
    }
    const pools = Array.isArray(value)
      ? value
      : value !== null && typeof value === "object" && Array.isArray((value as { pools?: unknown }).pools)
        ? (value as { pools: Array<unknown> }).pools
        : undefined
    if (pools === undefined) {
      return yield* CliFailure.usage(
        `the pools file ${path} must hold an array of pools, e.g. [{"id":"123","key":"...","size":5}]`
      )
    }
    return pools as ReadonlyArray<Pool.PoolOptions>
  })

const withoutPrefix = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/^@ringpool\/testkit: /, "")

export const command = Command.make(
  "fake-server",
  {
    pools: Flag.String("pools").pipe(
      Flag.withMetavar("FILE"),
      Flag.withDescription(
        'JSON file of pools: [{"id":"123","key":"...","size":5}] (also numbers, overflowNumber, allowOverflow, lifetimeSeconds). Default: one pool, id demo, key demo-key, 10 numbers'
      ),
      Flag.optional
    ),
    port: Flag.Int("port").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription("Port to listen on (0: any free port; the URL is printed)"),
      Flag.withDefault(0)
    ),
    host: Flag.String("host").pipe(
      Flag.withMetavar("H"),
      Flag.withDescription("Address to listen on"),
      Flag.withDefault("127.0.0.1")
    )
  },
  Effect.fnUntraced(function* ({ pools, port, host }) {
    const poolOptions = Option.isSome(pools) ? yield* readPools(pools.value) : undefined
    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startFakeRingPoolServer(poolOptions === undefined ? { port, host } : { pools: poolOptions, port, host }),
        catch: (error) => CliFailure.usage(withoutPrefix(error))
      }),
      (server) => Effect.promise(server.close)
    )
    // The URL alone on stdout (the one thing a script needs); everything else goes to stderr.
    yield* Stdout.write(`${server.url}\n`)
    const ids = (poolOptions ?? [{ id: "demo" }]).map((pool) => String(pool.id)).join(", ")
    process.stderr.write(`ringpool fake-server: serving pool ${ids} at ${server.url}; Ctrl-C stops it\n`)
    yield* Signals.awaitStop
    process.stderr.write("ringpool fake-server: stopped\n")
  }, Effect.scoped)
).pipe(
  Command.withShortDescription("Run a fake of the service on a port (for trying the commands, and for tests)"),
  Command.withDescription(
    "Run the testkit's stateful fake of the Bulk RingPool service on a real port. Prints its URL on stdout (use it as --base-url or RINGPOOL_BASE_URL); Ctrl-C or SIGTERM stops it cleanly (exit 0)."
  ),
  Command.withExamples([
    { command: "ringpool fake-server --port 4010", description: "The demo pool (id demo, key demo-key) on port 4010" },
    {
      command: "ringpool fake-server --pools pools.json --port 4010",
      description: 'Your pools: [{"id":"12345","key":"test-key","size":5,"allowOverflow":true}]'
    },
    {
      command: "RINGPOOL_BASE_URL=http://127.0.0.1:4010 RINGPOOL_KEY=demo-key ringpool allocate --pool demo m1=autos",
      description: "Then, in another terminal"
    }
  ])
)
