/**
 * `ringpool fake-server`: the testkit's fake of the service on a real port, for trying the other commands and for
 * test suites in other languages.
 */
import * as CommandSpec from "../cli/CommandSpec.ts"

export const flags = {
  pools: {
    kind: "string",
    metavar: "FILE",
    description:
      'JSON file of pools: [{"id":"123","key":"...","size":5}] (also numbers, overflowNumber, allowOverflow, lifetimeSeconds). Default: one pool, id demo, key demo-key, 10 numbers'
  },
  port: {
    kind: "integer",
    metavar: "N",
    range: [0, 65_535],
    description: "Port to listen on (default 0: any free port; the URL is printed)"
  },
  host: { kind: "string", metavar: "H", description: "Address to listen on (default 127.0.0.1)" }
} as const

export type Input = CommandSpec.Input<typeof flags>

export const command = CommandSpec.define({
  name: "fake-server",
  summary: "Run a fake of the service on a port (for trying the commands, and for tests)",
  description: [
    "Run the testkit's stateful fake of the Bulk RingPool service on a real port. Prints its URL on stdout (use it as --base-url or RINGPOOL_BASE_URL); Ctrl-C or SIGTERM stops it cleanly (exit 0)."
  ],
  flags,
  examples: [
    { command: "ringpool fake-server --port 4010", description: "The demo pool (id demo, key demo-key) on port 4010" },
    {
      command: "ringpool fake-server --pools pools.json --port 4010",
      description: 'Your pools: [{"id":"12345","key":"test-key","size":5,"allowOverflow":true}]'
    },
    {
      command: "RINGPOOL_BASE_URL=http://127.0.0.1:4010 RINGPOOL_KEY=demo-key ringpool allocate --pool demo m1=autos",
      description: "Then, in another terminal"
    }
  ],
  run: async (input) => (await import("../run/fakeServer.ts")).run(input)
})
