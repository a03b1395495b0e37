// The workspace's packages (every package.json under packages/ and apps/), and those of them it publishes.
import { readdirSync, readFileSync } from "node:fs"
import { root } from "../scripts/pinnedPnpm.mjs"

export const workspacePackages = () =>
  ["packages", "apps"].flatMap((folder) =>
    readdirSync(`${root}${folder}`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        const dir = `${root}${folder}/${entry.name}`
        try {
          return [{ dir, manifest: JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) }]
        } catch {
          return []
        }
      })
      .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }))
  )

export const publishedPackages = () => workspacePackages().filter((pkg) => !pkg.manifest.private)
