#!/usr/bin/env node
// The README's first command: `ringpool demo`, against an in-process fake (no account, no network).
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../apps/cli/dist/bin.js", import.meta.url))
const { status } = spawnSync(process.execPath, [bin, "demo"], { stdio: "inherit" })
process.exit(status ?? 1)
