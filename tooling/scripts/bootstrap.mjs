#!/usr/bin/env node
// Brings a fresh machine (Node and npm only) to a built workspace: the pinned pnpm, the locked dependencies,
// and every package's dist/. Safe to run again: each step is quick when there is nothing to do.
import { execSync } from "node:child_process"
import { readFileSync } from "node:fs"

const root = new URL("../../", import.meta.url)
const pinned = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).packageManager.split("@")[1]
const run = (command) => execSync(command, { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
const quiet = (command) => {
  try {
    return execSync(command, { cwd: root, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim()
  } catch {
    return ""
  }
}

if (quiet("pnpm --version") !== pinned) {
  console.error(`bootstrap: installing pnpm ${pinned} (corepack's signature check fails here, so npm installs it)`)
  run(`npm install --global --no-fund --no-audit pnpm@${pinned}`)
}
process.env.TURBO_TELEMETRY_DISABLED = "1"
run("pnpm install --frozen-lockfile --reporter=silent")
run("pnpm exec turbo run build --output-logs=errors-only")
