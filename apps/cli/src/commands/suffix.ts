/**
 * `ringpool suffix`: the `api_suffix` a row would be sent with, built by the core exactly as a bulk call builds it.
 */
import * as CommandSpec from "../cli/CommandSpec.ts"
import * as Flags from "../Flags.ts"

export const flags = {
  pool: Flags.pool,
  key: Flags.key,
  showKey: {
    kind: "boolean",
    description: "Print the key itself instead of <redacted> (for pasting into a request you send by hand)"
  }
} as const

export type Input = CommandSpec.Input<typeof flags>

export const command = CommandSpec.define({
  name: "suffix",
  summary: "Show the api_suffix a row would be sent with (key masked)",
  description: [
    "Print the api_suffix a row would be sent with: parameters in order, percent-encoded. The key is shown as <redacted> (wherever it appears) unless --show-key; only --show-key needs the key."
  ],
  flags,
  argument: Flags.params,
  examples: [
    { command: "ringpool suffix --pool 12345 m1=autos 'SMS Callback=true'", description: "See how a row is encoded" },
    { command: "ringpool suffix --pool 12345 --show-key m1=autos", description: "The suffix with the key itself" }
  ],
  run: async (input) => (await import("../run/suffix.ts")).run(input)
})
