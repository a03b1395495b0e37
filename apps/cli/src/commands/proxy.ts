/**
 * `ringpool proxy`: the single RingPool API on a port, served through coalesced bulk calls, for sites whose code
 * calls the single API (PHP, Ruby, anything with an HTTP client) once Bulk is switched on for their pools. A thin
 * shell on `@ringpool/proxy`: flags and environment in, one URL on stdout, diagnostics on stderr. Ctrl-C or
 * SIGTERM stops accepting, answers what is in flight, and exits 0.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import * as ClientSettings from "../ClientSettings.ts"
import * as CliFailure from "../CliFailure.ts"
import * as Flags from "../Flags.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Signals from "../Signals.ts"

// Addresses only this machine can reach; anything else exposes a proxy that checks nobody.
const loopback = (host: string) =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)

const startFailure = (error: unknown, port: number, host: string): CliFailure.CliFailure => {
  const code = (error as NodeJS.ErrnoException).code
  if (code === "EADDRINUSE") return CliFailure.usage(`port ${port} on ${host} is in use: choose another with --port`)
  if (code === "EACCES") return CliFailure.usage(`not allowed to listen on port ${port}: choose one above 1023`)
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return CliFailure.usage(`--host ${host} is not an address of this machine`)
  }
  const message = error instanceof Error ? error.message : String(error)
  return CliFailure.usage(message.replace(/^startProxy: /, "").replace(/\btimeoutMs\b/, "--timeout-ms"))
}

export const command = Command.make(
  "proxy",
  {
    port: Flag.Int("port").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription("Port to listen on (0: any free port; the URL is printed)"),
      Flag.withDefault(8080)
    ),
    host: Flag.String("host").pipe(
      Flag.withMetavar("H"),
      Flag.withDescription(
        "Address to listen on. The proxy has no authentication of its own: keep the default unless a firewall or an authenticating proxy stands in front"
      ),
      Flag.withDefault("127.0.0.1")
    ),
    baseUrl: Flags.baseUrl,
    timeoutMs: Flag.Int("timeout-ms").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription(
        "A request's budget in milliseconds, queueing and retries included (default 10000); past it, it answers 504 ProxyTimeout"
      ),
      Flag.optional
    )
  },
  Effect.fnUntraced(function* ({ port, host, baseUrl, timeoutMs }) {
    // The RINGPOOL_* environment is checked here, so that a wrong variable is a usage error naming it.
    const settings = yield* ClientSettings.resolve({ baseUrl })
    // Loaded only when this command runs: the other commands need none of the server.
    const { startProxy } = yield* Effect.promise(() => import("@ringpool/proxy"))
    const proxy = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          startProxy({
            port,
            host,
            baseUrl: Option.getOrUndefined(baseUrl),
            timeoutMs: Option.getOrUndefined(timeoutMs)
          }),
        catch: (error) => startFailure(error, port, host)
      }),
      (proxy) => Effect.promise(proxy.close)
    )
    // The URL alone on stdout (the one thing a script needs); everything else goes to stderr.
    yield* Stdout.write(`${proxy.url}\n`)
    if (!loopback(host)) {
      process.stderr.write(
        `ringpool proxy: warning: listening on ${host}, which other machines can reach, and the proxy has no authentication of its own: anyone who reaches it can allocate numbers through it and read /metrics\n`
      )
    }
    process.stderr.write(
      `ringpool proxy: serving the single RingPool API at ${proxy.url}/api/<date>/ring_pools/<id>/allocate_number.(json|xml|csv), through ${settings.resolved.bulkUrl}; Ctrl-C stops it\n`
    )
    yield* Signals.awaitStop
    process.stderr.write("ringpool proxy: stopping: answering the requests in flight\n")
    yield* Effect.promise(proxy.close)
    process.stderr.write("ringpool proxy: stopped\n")
  }, Effect.scoped)
).pipe(
  Command.withShortDescription("Serve the single RingPool API through coalesced bulk calls (for PHP, Ruby, ...)"),
  Command.withDescription(
    "Serve the single RingPool API (GET /api/<date>/ring_pools/<id>/allocate_number.json|xml|csv?ring_pool_key=KEY&...) on a port, answering in its documented formats, and POST /api/<date>/bulk.json, GET /healthz and GET /metrics. Concurrent requests from any number of processes become a few bulk calls upstream. Code written for the single API works by changing only the host. Prints its URL on stdout; Ctrl-C or SIGTERM stops accepting, answers what is in flight, and exits 0. OTLP export with OTEL_EXPORTER_OTLP_ENDPOINT."
  ),
  Command.withExamples([
    { command: "ringpool proxy", description: "On 127.0.0.1:8080, to https://pnapi.invoca.net" },
    {
      command: "ringpool proxy --port 4020 --base-url http://127.0.0.1:4010 --timeout-ms 2000",
      description: "In front of `ringpool fake-server --port 4010`, with a 2 s budget per request"
    },
    {
      command:
        "curl 'http://127.0.0.1:4020/api/2014-07-28/ring_pools/demo/allocate_number.json?ring_pool_key=demo-key&site=autos'",
      description: "Then, in another terminal"
    }
  ])
)
