#!/usr/bin/env node
// `npm test`: set-up, then lint and typecheck, every package's tests (one package at a time: several start
// servers and time budgets, and a CI machine may have two cores), and the README examples against the built packages.
import { execFileSync } from "node:child_process"
import { bootstrap } from "./bootstrap.mjs"
import { root } from "./pinnedPnpm.mjs"

const env = bootstrap()
const run = (command, args) => execFileSync(command, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] })
try {
  run("pnpm", ["exec", "turbo", "run", "lint", "typecheck"])
  run("pnpm", ["exec", "turbo", "run", "test", "--concurrency=1"])
  run(process.execPath, ["tooling/ci/readmeExamples.mjs"])
} catch (error) {
  process.exit(error.status ?? 1)
}
