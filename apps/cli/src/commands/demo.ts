/**
 * `ringpool demo`: the first thing to run, against an in-process fake of the service.
 */
import * as CommandSpec from "../cli/CommandSpec.ts"

export const command = CommandSpec.define({
  name: "demo",
  summary: "See it work: sample rows against a built-in fake (no account, no network)",
  description: [
    "Allocate a few sample rows against an in-process fake of the service and print what happened: numbers, an overflow number once a tiny pool is full, and a row rejected for a wrong key. Needs no account, configuration or network. Exits 0 when it ran as designed."
  ],
  flags: {},
  examples: [{ command: "ringpool demo", description: "The first command to run" }],
  run: async () => (await import("../run/demo.ts")).run()
})
