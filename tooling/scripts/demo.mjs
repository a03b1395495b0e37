#!/usr/bin/env node
// `npm run demo`, the README's first command: set-up, then `ringpool demo` against an in-process fake (no account,
// no network), run as the README says to run it at the repository root.
import { spawnSync } from "node:child_process"
import { bootstrap } from "./bootstrap.mjs"
import { root } from "./pinnedPnpm.mjs"

const env = bootstrap()
const { status } = spawnSync("npx", ["--no-install", "ringpool", "demo"], { cwd: root, env, stdio: "inherit" })
process.exit(status ?? 1)
