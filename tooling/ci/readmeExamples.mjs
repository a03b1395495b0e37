#!/usr/bin/env node
// Every code block of the root README and of each package's README is a tested example (run by `npm test`, after
// the build). By the block's language:
// - ts: compiled, strict with module nodenext, against the built packages; a program then runs with node against a
//   fake the harness starts (RINGPOOL_BASE_URL and RINGPOOL_KEY name it; it serves pools `123`, `12345` and `demo`);
//   a test file must be one of its package's test files (see readme/typescript.mjs).
// - sh: its commands run as a user would type them (see readme/shell.mjs); tooling/ci/readme/files/ holds the
//   input files they name (rows.csv, rows.ndjson, body.json, big.ndjson: a user brings their own).
// - json: must parse.  text: output shown to the reader, not a program.  php: a site's code, syntax-checked by php -l.
// A block whose first line is a comment starting with "Fragment" is a piece of a program, and says so to its reader:
// it is listed, not compiled or run. A block with no language, or another one, is an error: say what it is.
// Last, the commands the demo tells a user to run next must work at the root as written there.
import { rmSync } from "node:fs"
import { root } from "../scripts/pinnedPnpm.mjs"
import { createChecks } from "./checks.mjs"
import { userEnv } from "./commands.mjs"
import { checkDemoHints } from "./readme/demoHints.mjs"
import { where } from "./readme/markdown.mjs"
import { checkPhpSyntax } from "./readme/php.mjs"
import { runShellBlock } from "./readme/shell.mjs"
import { isProgram, isTypeScript, packageDirs, readmeBlocks, startExampleFake } from "./readme/sources.mjs"
import { compile, generatedFolder, homeOf, isTestFile, runProgram, testFileOf } from "./readme/typescript.mjs"

const workspacePackages = packageDirs()
const packageOf = (readme) => {
  const dir = readme.slice(0, -"/README.md".length)
  return workspacePackages.includes(dir) ? dir : undefined
}

const { fake, variables } = await startExampleFake()
const env = userEnv(root, variables)
const tsc = `${root}node_modules/.bin/tsc`
const { check, finish } = createChecks("readme")

const blocks = readmeBlocks()
const programs = []
for (const block of blocks) {
  if (isProgram(block)) {
    try {
      programs.push({ block, home: homeOf(block, homesFor(block), root) })
    } catch (error) {
      programs.push({ block, error })
    }
  }
}
// The compiled examples and the shell examples' folders go, also when the run is interrupted: a stale one would
// be linted as part of its package.
const removeGenerated = () => {
  for (const home of new Set(programs.map((p) => p.home).filter(Boolean)))
    rmSync(`${home}/${generatedFolder}`, { recursive: true, force: true })
  rmSync(`${root}.readme-run`, { recursive: true, force: true })
}
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, () => {
    removeGenerated()
    process.exit(130)
  })

const compiled = new Map()
let shellIndex = 0
try {
  for (const home of new Set(programs.filter((p) => p.home).map((p) => p.home))) {
    const group = programs.filter((p) => p.home === home).map((p) => p.block)
    for (const result of await compile(home, group, { root, tsc })) compiled.set(result.block, result)
  }
  for (const block of blocks) {
    const name = `${where(block, root)} ${block.language || "(no language)"}`
    if (block.fragment) {
      console.log(`readme: fragment ${name}: labelled a fragment, shown and not run`)
      continue
    }
    if (isTypeScript(block)) {
      if (isTestFile(block)) {
        const dirs = packageOf(block.path) ? [packageOf(block.path)] : workspacePackages
        await check(name, () => `test example, runs with its package's tests as ${testFileOf(block, dirs, root)}`)
        continue
      }
      await check(name, async () => {
        const program = programs.find((p) => p.block === block)
        if (program.error) throw program.error
        const result = compiled.get(block)
        if (result.errors.length > 0) throw new Error(result.errors.join("\n"))
        await runProgram(result, env)
        return `compiled and ran (in ${program.home.slice(root.length) || "."})`
      })
      continue
    }
    switch (block.language) {
      case "sh":
      case "bash":
      case "shell":
      case "console":
        await check(name, () =>
          runShellBlock(block, { root, index: ++shellIndex, packageDir: packageOf(block.path), env })
        )
        break
      case "json":
        await check(name, () => {
          JSON.parse(block.body)
          return "parses"
        })
        break
      case "text":
        console.log(`readme: output   ${name}: output shown to the reader`)
        break
      case "php":
        await check(name, () => checkPhpSyntax(block))
        break
      default:
        await check(name, () => {
          throw new Error("give the block a language: ts, sh, json, php, or text for output (or label it a fragment)")
        })
    }
  }
  await check("the demo's next commands, as npx ringpool at the root", () => checkDemoHints(root, env))
} finally {
  await fake.close()
  removeGenerated()
}
process.exit(finish() ? 0 : 1)

// Where a program of this README may be compiled: its own package first, then the tooling (which depends on every
// package), then any package of the workspace.
function homesFor(block) {
  const own = packageOf(block.path)
  return [...new Set([...(own ? [own] : []), `${root}tooling`, ...workspacePackages])]
}
