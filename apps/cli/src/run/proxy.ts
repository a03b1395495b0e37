/**
 * What `ringpool proxy` does: starts `@ringpool/proxy` on a port, prints its URL, and on Ctrl-C or SIGTERM stops
 * accepting, answers what is in flight, and exits 0.
 */
import * as ClientSettings from "../ClientSettings.ts"
import * as CliFailure from "../CliFailure.ts"
import type { Input } from "../commands/proxy.ts"
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

export const run = async ({ flags }: Input): Promise<number> => {
  const port = flags.port ?? 8080
  const host = flags.host ?? "127.0.0.1"
  // The RINGPOOL_* environment is checked here, so that a wrong variable is a usage error naming it.
  const settings = ClientSettings.resolve({ baseUrl: flags.baseUrl })
  // Listening before the server starts: a signal during start-up still stops it cleanly.
  const stop = Signals.onStop()
  try {
    const { startProxy } = await import("@ringpool/proxy")
    const proxy = await startProxy({ port, host, baseUrl: flags.baseUrl, timeoutMs: flags.timeoutMs }).catch(
      (error: unknown) => {
        throw startFailure(error, port, host)
      }
    )
    try {
      // The URL alone on stdout (the one thing a script needs); everything else goes to stderr.
      await Stdout.write(`${proxy.url}\n`)
      if (!loopback(host)) {
        process.stderr.write(
          `ringpool proxy: warning: listening on ${host}, which other machines can reach, and the proxy has no authentication of its own: anyone who reaches it can allocate numbers through it and read /metrics\n`
        )
      }
      process.stderr.write(
        `ringpool proxy: serving the single RingPool API at ${proxy.url}/api/<date>/ring_pools/<id>/allocate_number.(json|xml|csv), through ${settings.resolved.bulkUrl}; Ctrl-C stops it\n`
      )
      await stop.stopped
      process.stderr.write("ringpool proxy: stopping: answering the requests in flight\n")
    } finally {
      await proxy.close()
    }
    process.stderr.write("ringpool proxy: stopped\n")
    return 0
  } finally {
    stop.dispose()
  }
}
