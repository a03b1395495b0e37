// Shell blocks: each command line runs on its own through bash, as a user would type it, in an empty folder that
// sees the repository's top level (so `npx ringpool`, `npm run ...` and repository paths work as at the root, and
// files an example writes land in that folder), with RINGPOOL_BASE_URL and RINGPOOL_KEY naming the harness's fake.
// A block of a package's README also has that package's commands on PATH, as after `npm install --global` of it.
// - A block with `$ ` prompts is a transcript: the prompted lines are its commands, the others their output.
// - A command ending in `&` is a server: it must print a line (its URL) within 30 s, and is stopped after the block.
// - Every other command must exit 0 within 60 s.
// - `npm test` and `npm run demo` are what .ci/run itself runs on a fresh clone; a command that installs a package
//   from the registry (`npm install ...`, `pnpm add ...`) is what the installed stage does with the packed tarballs.
//   Neither is run again here.
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { expectSuccess } from "../checks.mjs"
import { runCommand, startCommand } from "../commands.mjs"

const ranByCi = /^npm (test|run demo)$/
const installs = /^(npm|pnpm|yarn)\s+(install|i|add)(\s|$)/
const inputFiles = new URL("./files/", import.meta.url).pathname

/** The block's command lines, continuation lines joined and comments left to bash. */
const commandsOf = (block) => {
  const lines = block.body.replace(/\\\n\s*/g, " ").split("\n")
  const transcript = lines.some((line) => line.startsWith("$ "))
  return lines
    .filter((line) => (transcript ? line.startsWith("$ ") : line.trim() !== "" && !line.trim().startsWith("#")))
    .map((line) => (transcript ? line.slice(2) : line).trim())
}

/** The command without a trailing `# comment` (outside quotes), and whether it ends in `&`. */
const shapeOf = (line) => {
  let quote
  let end = line.length
  for (let index = 0; index < line.length; index++) {
    const char = line[index]
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"') quote = char
    else if (char === "#" && (index === 0 || /\s/.test(line[index - 1]))) {
      end = index
      break
    }
  }
  const command = line.slice(0, end).trim()
  const background = /[^&]&$/.test(command)
  return { command: background ? command.slice(0, -1).trim() : command, background }
}

const binsOf = (packageDir) => {
  const manifest = JSON.parse(readFileSync(`${packageDir}/package.json`, "utf8"))
  const bin =
    typeof manifest.bin === "string" ? { [manifest.name.split("/").pop()]: manifest.bin } : (manifest.bin ?? {})
  return Object.entries(bin).map(([name, path]) => [name, `${packageDir}/${path}`])
}

/** A fresh folder that mirrors the repository's top level, holds the example input files, `ringpool` and the package's bins. */
const scratchFor = (root, index, packageDir) => {
  const dir = `${root}.readme-run/${index}`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(`${dir}/.bin`, { recursive: true })
  for (const entry of readdirSync(root))
    if (!entry.startsWith(".") || entry === ".changeset") symlinkSync(`${root}${entry}`, `${dir}/${entry}`)
  for (const file of readdirSync(inputFiles)) symlinkSync(`${inputFiles}${file}`, `${dir}/${file}`)
  // `ringpool` is the project's one command: every README may use it, as a user who installed the CLI would.
  const bins = new Map(binsOf(`${root}apps/cli`))
  if (packageDir) for (const [name, path] of binsOf(packageDir)) bins.set(name, path)
  for (const [name, path] of bins) symlinkSync(path, `${dir}/.bin/${name}`)
  return dir
}

/** Runs the block's commands; resolves to a note of what ran and what was left to other stages. */
export const runShellBlock = async (block, { root, index, packageDir, env }) => {
  const cwd = scratchFor(root, index, packageDir)
  const blockEnv = { ...env, PATH: `${cwd}/.bin:${env.PATH}` }
  const servers = []
  const notes = []
  try {
    for (const line of commandsOf(block)) {
      const { command, background } = shapeOf(line)
      if (ranByCi.test(command)) {
        notes.push(`${command}: run by .ci/run`)
        continue
      }
      if (installs.test(command)) {
        notes.push(`${command.split(/\s+/).slice(0, 2).join(" ")}: the installed stage's part`)
        continue
      }
      if (background) {
        const server = startCommand("bash", ["-c", command], { cwd, env: blockEnv })
        servers.push(server)
        const first = await server.firstLine(30_000)
        notes.push(`${command} & (printed ${first})`)
        continue
      }
      expectSuccess(
        `\`${command}\``,
        await runCommand("bash", ["-c", command], { cwd, env: blockEnv, timeoutMs: 60_000 })
      )
      notes.push(command)
    }
  } finally {
    for (const server of servers) await server.stop()
    rmSync(cwd, { recursive: true, force: true })
  }
  return `${notes.length} commands: ${notes.join("; ")}`
}
