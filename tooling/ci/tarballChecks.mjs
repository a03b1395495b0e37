// What a packed tarball must hold before anyone installs it: a LICENSE, a README that says the package is ESM-only
// (our choice: `exports` has no `require` condition), nothing publint reports, and nothing
// @arethetypeswrong/cli reports under its esm-only profile (which leaves out CommonJS and node10 resolution).
import { execFileSync } from "node:child_process"
import { expectSuccess } from "./checks.mjs"
import { runCommand } from "./commands.mjs"

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname
const tarEntries = (tarball) => execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n")
const tarFile = (tarball, path) =>
  execFileSync("tar", ["xzf", tarball, "-O", path], { encoding: "utf8", maxBuffer: 4 * 1024 * 1024 })

export const checkLicense = (tarball) => {
  if (!tarEntries(tarball).includes("package/LICENSE")) throw new Error("no LICENSE at the package's root")
  const text = tarFile(tarball, "package/LICENSE")
  if (!/MIT License/.test(text)) throw new Error("LICENSE is not the MIT license that package.json declares")
}

/** Build leftovers a user has no use for: TypeScript's incremental state (which names our machine's paths). */
export const checkNoBuildState = (tarball) => {
  const leftovers = tarEntries(tarball).filter((entry) => entry.endsWith(".tsbuildinfo"))
  if (leftovers.length > 0) throw new Error(`the tarball holds ${leftovers.join(", ")}: leave it out in "files"`)
}

export const checkReadmeSaysEsmOnly = (tarball) => {
  if (!tarEntries(tarball).includes("package/README.md")) throw new Error("no README.md in the package")
  if (!/\bESM[- ]only\b/i.test(tarFile(tarball, "package/README.md")))
    throw new Error('README.md does not say the package is ESM-only (write "ESM-only" where it tells how to install)')
}

export const checkPublint = async (tarball) => {
  const output = expectSuccess("publint", await runCommand(bin("publint"), ["run", tarball, "--strict"]))
  if (!/All good!/.test(output)) throw new Error(output.trim())
  return "all good"
}

// attw reports every resolution in its JSON; the esm-only profile decides which count: not node10, not CommonJS.
const ignoredByProfile = new Set(["node10", "node16-cjs"])

export const checkTypes = async (tarball) => {
  const result = await runCommand(bin("attw"), [tarball, "--profile", "esm-only", "--format", "json"], {
    keepBytes: 8 * 1024 * 1024
  })
  let problems
  try {
    problems = Object.values(JSON.parse(result.output.slice(result.output.indexOf("{"))).problems ?? {})
      .flat()
      .filter((problem) => !ignoredByProfile.has(problem.resolutionKind))
  } catch {
    expectSuccess("attw", result)
    throw new Error(`attw printed no JSON: ${result.output.slice(0, 2000)}`)
  }
  if (problems.length > 0 || result.status !== 0)
    throw new Error(
      problems.map((p) => `${p.kind} at ${p.entrypoint ?? "?"} (${p.resolutionKind ?? "any"})`).join("\n") ||
        result.output.slice(0, 2000)
    )
  return "no problems (esm-only)"
}
