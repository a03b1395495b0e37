#!/usr/bin/env node
// Brings a fresh clone (Node and npm only) to a built workspace: the pinned pnpm inside the repository, the locked
// dependencies, and every package's dist/. Safe to run again: each step is quick when there is nothing to do.
// Imported by the other scripts, it returns the environment their commands need (pnpm on PATH).
import { execFileSync } from "node:child_process"
import { delimiter } from "node:path"
import { fileURLToPath } from "node:url"
import { ensurePinnedPnpm, linkIntoNodeModules, root } from "./pinnedPnpm.mjs"

export const bootstrap = () => {
  const pnpmDir = ensurePinnedPnpm()
  const env = {
    ...process.env,
    PATH: [pnpmDir, `${root}node_modules/.bin`, process.env.PATH].join(delimiter),
    TURBO_TELEMETRY_DISABLED: "1"
  }
  const run = (command, args) =>
    execFileSync(command, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] })
  run("pnpm", ["install", "--frozen-lockfile", "--reporter=silent"])
  linkIntoNodeModules(pnpmDir)
  run("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"])
  return env
}

if (process.argv[1] === fileURLToPath(import.meta.url)) bootstrap()
