// A README's PHP: the code a site runs against the proxy, checked by PHP's own parser (php -l). It names variables
// the site has (its pool, key, request), so it is parsed, not run.
import { spawnSync } from "node:child_process"

export const checkPhpSyntax = (block) => {
  const source = block.body.trimStart().startsWith("<?php") ? block.body : `<?php\n${block.body}\n`
  const result = spawnSync("php", ["-l"], { input: source, encoding: "utf8" })
  if (result.error?.code === "ENOENT") throw new Error("php is not installed: apt-get install -y php-cli")
  if (result.status !== 0) throw new Error(`php -l: ${(result.stdout + result.stderr).trim()}`)
  return "parsed by php -l"
}
