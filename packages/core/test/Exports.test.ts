import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

// What a consumer gets: plain `node` importing the package by name (its exports map, built dist/ only).
describe("the package as a consumer imports it", () => {
  it("resolves @ringpool/core and @ringpool/core/node to built JavaScript", () => {
    const script = `
      const core = await import("@ringpool/core")
      const node = await import("@ringpool/core/node")
      const suffix = core.ApiSuffix.make({ ringPoolId: "1", ringPoolKey: "k", params: { m1: "a b" } })
      console.log(JSON.stringify({
        suffix,
        create: typeof core.createRingPoolClient,
        layer: typeof node.layer,
        resolved: import.meta.resolve("@ringpool/core")
      }))`
    const out = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: packageDir, encoding: "utf8" })
    ) as { suffix: string; create: string; layer: string; resolved: string }
    expect(out.suffix).toBe("1/allocate_number.json?ring_pool_key=k&m1=a%20b")
    expect(out.create).toBe("function")
    expect(out.layer).toBe("function")
    expect(out.resolved).toMatch(/\/dist\/index\.js$/)
  })
})
