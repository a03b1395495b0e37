// TypeScript blocks: a program is compiled with the repository's tsc (strict, module nodenext) against the built
// packages, in a folder of a workspace package that can resolve every import the block makes (as a user's project
// would, with the types each import needs), then run with node against the fake. A test file (it imports vitest or
// @effect/vitest) must be, word for word, one of its package's test files: there it runs with that package's suite.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, resolve } from "node:path"
import { expectSuccess } from "../checks.mjs"
import { runCommand } from "../commands.mjs"

export const generatedFolder = ".readme-examples"
const testRunners = new Set(["vitest", "@effect/vitest"])

const importsOf = (source) =>
  [
    ...source.matchAll(
      /(?:^|[\s;])(?:import|export)\s(?:[^"';]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g
    )
  ].map((match) => match[1] ?? match[2])

const packageName = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/")
const isBuiltin = (name) => name.startsWith("node:") || builtinModules.includes(name)
const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, "utf8"))
  } catch {
    return undefined
  }
}

/** The folder of `name` as seen from `dir` (node_modules up to the repository's root), or the package itself. */
const packageDir = (dir, name, root) => {
  if (readJson(`${dir}/package.json`)?.name === name) return dir
  for (let at = dir; at.startsWith(root.replace(/\/$/, "")); at = dirname(at)) {
    if (existsSync(`${at}/node_modules/${name}/package.json`)) return `${at}/node_modules/${name}`
    if (at === dirname(at)) break
  }
  return undefined
}

/** Types named in package.json, or a `.d.ts` beside the main entry (where TypeScript looks next). */
const hasOwnTypes = (dir) => {
  const manifest = readJson(`${dir}/package.json`) ?? {}
  if (manifest.types || manifest.typings || JSON.stringify(manifest.exports ?? {}).includes('"types"')) return true
  const main = manifest.exports?.["."] ?? manifest.exports ?? manifest.main ?? "index.js"
  const entry = typeof main === "string" ? main : (main.import ?? main.default ?? "index.js")
  return typeof entry === "string" && existsSync(`${dir}/${entry.replace(/\.(m?)js$/, ".d.$1ts")}`)
}

/** Whether a consumer in `dir` can import `specifier` with its types. */
const resolvesWithTypes = (dir, specifier, root) => {
  const name = packageName(specifier)
  if (isBuiltin(name)) return true
  const found = packageDir(dir, name, root)
  if (!found) return false
  if (hasOwnTypes(found)) return true
  const typesName = `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`
  return packageDir(dir, typesName, root) !== undefined
}

export const isTestFile = (block) => importsOf(block.body).some((specifier) => testRunners.has(packageName(specifier)))

/** The first of `candidates` whose node_modules give every import of the block, with types. */
export const homeOf = (block, candidates, root) => {
  const imports = importsOf(block.body)
  const relative = imports.find((specifier) => specifier.startsWith("."))
  if (relative) throw new Error(`imports ${relative}: a README example imports packages, not files of this repository`)
  const home = candidates.find((dir) => imports.every((specifier) => resolvesWithTypes(dir, specifier, root)))
  if (!home) throw new Error(`no package of the workspace can resolve all of ${imports.join(", ")} with types`)
  return home
}

const normalized = (text) =>
  text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trim()

const testFiles = (dir, depth = 0) =>
  depth > 4 || !existsSync(dir)
    ? []
    : readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() && entry.name !== "node_modules"
          ? testFiles(`${dir}/${entry.name}`, depth + 1)
          : /\.tsx?$/.test(entry.name)
            ? [`${dir}/${entry.name}`]
            : []
      )

// A package's own tests import it from its source (`../../src/index.ts`) where its README imports it by name.
const asUserImports = (text, file, packageDir) => {
  const name = readJson(`${packageDir}/package.json`)?.name
  return text.replace(/(["'])(\.{1,2}\/[^"']*)\1/g, (whole, quote, specifier) =>
    resolve(dirname(file), specifier) === `${packageDir}/src/index.ts` ? `${quote}${name}${quote}` : whole
  )
}

/** The test file of `packageDirs` that holds exactly this block, or an error saying where to put it. */
export const testFileOf = (block, packageDirs, root) => {
  const wanted = normalized(block.body)
  for (const dir of packageDirs)
    for (const file of testFiles(`${dir}/test`))
      if (normalized(asUserImports(readFileSync(file, "utf8"), file, dir)) === wanted) return file.slice(root.length)
  throw new Error(
    "a test example must be one of its package's test files, word for word, so that it runs with the suite: " +
      "copy it into the package's test/readme/ (or bring the README up to date with that file)"
  )
}

/**
 * Compiles the programs of one home folder in one tsc run and returns, per block, the compiler's errors (mapped to
 * README lines) or the compiled file to run.
 */
export const compile = async (home, programs, { root, tsc }) => {
  const folder = `${home}/${generatedFolder}`
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder)
  const names = programs.map((_, index) => `example${index + 1}.mts`)
  programs.forEach((block, index) => writeFileSync(`${folder}/${names[index]}`, `${block.body}\n`))
  const compilerOptions = {
    strict: true,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    types: ["node"],
    skipLibCheck: true,
    rootDir: ".",
    outDir: "out"
  }
  writeFileSync(`${folder}/tsconfig.json`, JSON.stringify({ compilerOptions, files: names }))
  const result = await runCommand(tsc, ["-p", ".", "--pretty", "false"], { cwd: folder, timeoutMs: 300_000 })
  const errors = new Map(names.map((name) => [name, []]))
  for (const line of result.output.split("\n")) {
    const error = /^(example\d+\.mts)\((\d+),(\d+)\): (.*)$/.exec(line.trim())
    if (!error) continue
    const block = programs[names.indexOf(error[1])]
    errors
      .get(error[1])
      ?.push(`${block.path.slice(root.length)}:${block.line + Number(error[2])}:${error[3]} ${error[4]}`)
  }
  if (result.status !== 0 && [...errors.values()].every((list) => list.length === 0)) expectSuccess("tsc", result)
  return programs.map((block, index) => ({
    block,
    errors: errors.get(names[index]),
    compiled: `${folder}/out/${names[index].replace(/\.mts$/, ".mjs")}`,
    folder
  }))
}

export const runProgram = async ({ compiled, folder }, env, node = process.execPath) =>
  expectSuccess("the example", await runCommand(node, [compiled], { cwd: folder, env, timeoutMs: 60_000 }))
