/**
 * `ringpool proxy`: the single RingPool API on a port, served through coalesced bulk calls, for sites whose code
 * calls the single API (PHP, Ruby, anything with an HTTP client) once Bulk is switched on for their pools. A thin
 * shell on `@ringpool/proxy`: flags and environment in, one URL on stdout, diagnostics on stderr. Ctrl-C or
 * SIGTERM stops accepting, answers what is in flight, and exits 0.
 */
import * as CommandSpec from "../cli/CommandSpec.ts"
import * as Flags from "../Flags.ts"

export const flags = {
  port: {
    kind: "integer",
    metavar: "N",
    range: [0, 65_535],
    description: "Port to listen on (default 8080; 0: any free port; the URL is printed)"
  },
  host: {
    kind: "string",
    metavar: "H",
    description:
      "Address to listen on (default 127.0.0.1). The proxy has no authentication of its own: keep the default unless a firewall or an authenticating proxy stands in front"
  },
  baseUrl: Flags.baseUrl,
  timeoutMs: {
    kind: "integer",
    metavar: "N",
    // The longest timer Node keeps: a longer one fires at once.
    range: [1, 2_147_483_647],
    description:
      "A request's budget in milliseconds, queueing and retries included (default 10000); past it, it answers 504 ProxyTimeout"
  }
} as const

export type Input = CommandSpec.Input<typeof flags>

export const command = CommandSpec.define({
  name: "proxy",
  summary: "Serve the single RingPool API through coalesced bulk calls (for PHP, Ruby, ...)",
  description: [
    "Serve the single RingPool API (GET /api/<date>/ring_pools/<id>/allocate_number.json|xml|csv?ring_pool_key=KEY&...) on a port, answering in its documented formats, and POST /api/<date>/bulk.json, GET /healthz and GET /metrics. Concurrent requests from any number of processes become a few bulk calls upstream. Code written for the single API works by changing only the host. Prints its URL on stdout; Ctrl-C or SIGTERM stops accepting, answers what is in flight, and exits 0. OTLP export with OTEL_EXPORTER_OTLP_ENDPOINT."
  ],
  flags,
  examples: [
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
  ],
  run: async (input) => (await import("../run/proxy.ts")).run(input)
})
