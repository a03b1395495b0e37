#!/usr/bin/env node
// `npm run demo`, the README's first command: set-up, then `ringpool demo` against an in-process fake (no account,
// no network), run as the README says to run it at the repository root.
import { spawnSync } from "node:child_process"
import { bootstrap } from "./bootstrap.mjs"
import { root } from "./pinnedPnpm.mjs"

const env = bootstrap()
const { status } = spawnSync("npx", ["--no-install", "ringpool", "demo"], { cwd: root, env, stdio: "inherit" })
if (status === 0) {
  // The demo names its next commands as an installed `ringpool`; in this repository the command is `npx ringpool`.
  console.log("In this repository, run them as `npx ringpool ...` (for example `npx ringpool fake-server`).")
}
process.exit(status ?? 1)
