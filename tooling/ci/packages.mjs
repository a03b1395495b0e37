// The packages this repository publishes: every package.json under packages/ and apps/ that is not private.
import { readdirSync, readFileSync } from "node:fs"
import { root } from "../scripts/pinnedPnpm.mjs"

export const publishedPackages = () =>
  ["packages", "apps"].flatMap((folder) =>
    readdirSync(`${root}${folder}`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        const dir = `${root}${folder}/${entry.name}`
        try {
          const manifest = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"))
          return manifest.private ? [] : [{ name: manifest.name, dir, manifest }]
        } catch {
          return []
        }
      })
  )
