/**
 * The `ringpool` command: its subcommands, in the order `ringpool --help` lists them.
 *
 * To add a command: define it in `src/commands/<name>.ts` with `CommandSpec.define({ name, summary, description,
 * flags, argument?, examples, run })`, where `run` imports the implementation on demand (so that `--help` and the
 * other commands never load it), and add one entry to `commands` below.
 */
import * as Allocate from "./commands/allocate.ts"
import * as Bulk from "./commands/bulk.ts"
import * as Demo from "./commands/demo.ts"
import * as FakeServer from "./commands/fakeServer.ts"
import * as ProxyCommand from "./commands/proxy.ts"
import * as Suffix from "./commands/suffix.ts"

export const commands = [
  Demo.command,
  Allocate.command,
  Bulk.command,
  Suffix.command,
  FakeServer.command,
  ProxyCommand.command
]

export const root = {
  description:
    "Allocate tracking phone numbers from Invoca's Bulk RingPool API: one row, or files of rows. Start with `ringpool demo`: it needs no account and no network.",
  commands,
  examples: [
    {
      command: "ringpool demo",
      description: "See allocations, an overflow and a rejected row against a built-in fake"
    },
    { command: "RINGPOOL_KEY=... ringpool allocate --pool 12345 m1=autos", description: "One number" },
    { command: "ringpool bulk rows.csv --output-format csv > results.csv", description: "A file of rows" }
  ]
}
