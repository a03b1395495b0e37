// Where the README examples come from (the root README and each workspace package's), and the fake they run
// against: RINGPOOL_BASE_URL and RINGPOOL_KEY name it, and it serves the pools the examples name.
import { existsSync } from "node:fs"
import { startFakeRingPoolServer } from "@ringpool/testkit"
import { root } from "../../scripts/pinnedPnpm.mjs"
import { workspacePackages } from "../packages.mjs"
import { codeBlocks } from "./markdown.mjs"
import { isTestFile } from "./typescript.mjs"

export const packageDirs = () => workspacePackages().map((pkg) => pkg.dir)

export const readmeBlocks = () =>
  [root.replace(/\/$/, ""), ...packageDirs()]
    .map((dir) => `${dir}/README.md`)
    .filter(existsSync)
    .flatMap(codeBlocks)

export const isTypeScript = (block) => ["ts", "typescript", "mts"].includes(block.language)

/** A TypeScript block that is a whole program: not a fragment, not a test file. */
export const isProgram = (block) => isTypeScript(block) && !block.fragment && !isTestFile(block)

const key = "readme-example-key"

/** Starts the examples' fake; resolves to it and the variables that point a client at it. */
export const startExampleFake = async () => {
  const pools = [
    { id: "123", key, size: 1000 },
    { id: "12345", key, size: 1000 },
    { id: "demo", key: "demo-key", size: 1000 }
  ]
  const fake = await startFakeRingPoolServer({ pools })
  return { fake, variables: { RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: key } }
}
