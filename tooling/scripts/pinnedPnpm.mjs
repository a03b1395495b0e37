// The pnpm that package.json's `packageManager` pins, installed inside the repository (.tools/pnpm, gitignored) and
// never on the user's machine: a set-up that installs a global tool without asking is not ours to do. Corepack
// would be the usual way, but its signature check fails on the machines this project runs on, so npm installs it.
import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../../", import.meta.url))
const toolDir = `${root}.tools/pnpm`
const installed = `${toolDir}/node_modules/pnpm`

export const pinnedVersion = () =>
  JSON.parse(readFileSync(`${root}package.json`, "utf8")).packageManager.replace(/^pnpm@/, "")

const installedVersion = () => {
  try {
    return JSON.parse(readFileSync(`${installed}/package.json`, "utf8")).version
  } catch {
    return undefined
  }
}

/** Installs the pinned pnpm into .tools/pnpm unless it is there already; returns the folder of its executable. */
export const ensurePinnedPnpm = () => {
  const pinned = pinnedVersion()
  if (installedVersion() !== pinned) {
    console.error(`bootstrap: installing pnpm ${pinned} into .tools/pnpm (inside the repository, nothing global)`)
    mkdirSync(toolDir, { recursive: true })
    execFileSync(
      "npm",
      ["install", "--prefix", toolDir, "--no-save", "--no-fund", "--no-audit", "--loglevel=error", `pnpm@${pinned}`],
      { stdio: ["ignore", "ignore", "inherit"] }
    )
    if (installedVersion() !== pinned) throw new Error(`bootstrap: npm did not install pnpm ${pinned} into ${toolDir}`)
  }
  return `${toolDir}/node_modules/.bin`
}

/**
 * Puts the pinned pnpm in node_modules/.bin, so that `npm run build` (turbo, which runs every task through pnpm) and
 * `npx pnpm ...` at the repository root find this version and no other. pnpm's own install rewrites that folder,
 * so this runs after it.
 */
export const linkIntoNodeModules = (binDir) => {
  const bin = `${root}node_modules/.bin`
  mkdirSync(bin, { recursive: true })
  rmSync(`${bin}/pnpm`, { force: true })
  symlinkSync(relative(bin, `${binDir}/pnpm`), `${bin}/pnpm`)
}
