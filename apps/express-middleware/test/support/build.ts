// Vitest global setup: builds the package once before the tests that run its dist (the example's server, the
// consumer projects), so no test runs stale JavaScript. `tsc -b` is incremental: a no-op when dist is fresh.
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

export const packageDir = fileURLToPath(new URL("../../", import.meta.url))
export const tsc = fileURLToPath(new URL("../../../../node_modules/.bin/tsc", import.meta.url))

export default function setup(): void {
  execFileSync(tsc, ["-b"], { cwd: packageDir, stdio: "inherit" })
}
