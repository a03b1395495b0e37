// The demo ends by naming the commands to try next: each must work at the repository's root as `npx ringpool ...`
// (what `npm run demo` tells a user to type there). Each is run with `--help`, which every command has and which
// returns at once (`fake-server` itself would run until stopped).
import { expectSuccess } from "../checks.mjs"
import { runCommand } from "../commands.mjs"

export const checkDemoHints = async (root, env) => {
  const npx = (args) => runCommand("npx", ["--no-install", "ringpool", ...args], { cwd: root, env, timeoutMs: 60_000 })
  const output = expectSuccess("npx ringpool demo", await npx(["demo"]))
  const next = output.slice(output.lastIndexOf("Next:"))
  const commands = [...new Set([...next.matchAll(/\bringpool ([a-z][a-z-]*)/g)].map((match) => match[1]))]
  if (commands.length === 0) throw new Error(`the demo names no command to run next:\n${output}`)
  for (const command of commands) expectSuccess(`npx ringpool ${command} --help`, await npx([command, "--help"]))
  return commands.map((command) => `npx ringpool ${command} --help`).join(", ")
}
