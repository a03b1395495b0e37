// Running a command of a check: its output is kept as a bounded tail (a runaway process cannot fill memory), with
// the lines that match `watch` collected on the way, and a time limit after which its whole process group ends.
import { spawn } from "node:child_process"

const tailBytes = 64 * 1024
const watchedLines = 200

/**
 * Runs `command args`; resolves to `{ status, signal, output, watched, timedOut }`. `watch` is a RegExp of lines to
 * keep in full (npm's EBADENGINE warnings, for instance), wherever they fall in the output; `keepBytes` how much of
 * the output's end to keep (64 KiB unless a command's whole answer is needed).
 */
export const runCommand = (
  command,
  args,
  { cwd, env, timeoutMs = 120_000, watch, input, keepBytes = tailBytes } = {}
) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] })
    let output = ""
    let partial = ""
    const watched = []
    const take = (chunk) => {
      const text = chunk.toString()
      output = (output + text).slice(-keepBytes)
      if (!watch) return
      const lines = (partial + text).split("\n")
      partial = lines.pop().slice(-tailBytes)
      for (const line of lines) if (watch.test(line) && watched.length < watchedLines) watched.push(line)
    }
    child.stdout.on("data", take)
    child.stderr.on("data", take)
    if (input) child.stdin.end(input)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      stopGroup(child)
    }, timeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      resolve({ status: null, signal: null, output: `${output}${error.message}`, watched, timedOut })
    })
    child.on("close", (status, signal) => {
      clearTimeout(timer)
      if (watch?.test(partial)) watched.push(partial)
      resolve({ status, signal, output, watched, timedOut })
    })
  })

/**
 * Starts a long-running command (a server) in a process group of its own; `firstLine(ms)` resolves to the first
 * line it prints on stdout (a server's URL), or fails after `ms`; `stop()` ends the whole group (npx does not pass
 * signals on to its child).
 */
export const startCommand = (command, args, { cwd, env } = {}) => {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-tailBytes)
  })
  const exited = new Promise((resolve) => child.on("close", (status, signal) => resolve({ status, signal })))
  const firstLine = new Promise((resolve, reject) => {
    let text = ""
    child.stdout.on("data", (chunk) => {
      text = (text + chunk.toString()).slice(-tailBytes)
      const end = text.indexOf("\n")
      if (end >= 0) resolve(text.slice(0, end).trim())
    })
    exited.then(({ status, signal }) =>
      reject(new Error(`${command} ${args.join(" ")} ended (${signal ?? status}) before printing a line: ${stderr}`))
    )
  })
  firstLine.catch(() => {})
  return {
    firstLine: (ms) =>
      Promise.race([
        firstLine,
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`\`${command} ${args.join(" ")}\` printed nothing in ${ms / 1000} s`)),
            ms
          ).unref()
        )
      ]),
    stop: async () => {
      stopGroup(child)
      return exited
    }
  }
}

const stopGroup = (child) => {
  try {
    process.kill(-child.pid, "SIGTERM")
  } catch {
    // The group has ended already.
  }
}

/**
 * The environment a user's shell would have: none of an outer npm's variables, and no folder of this repository on
 * PATH (`npm test` puts node_modules/.bin there, which would make `ringpool` and `pnpm` look installed). One thing
 * a user's shell lacks: npm_config_yes=false, so that an `npx` whose command is missing fails rather than fetch and
 * run whatever the registry has under that name.
 */
export const userEnv = (root, extra = {}) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_|^INIT_CWD$/i.test(name)))
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => dir && !dir.startsWith(root) && !/node_modules\/\.bin$/.test(dir))
    .join(":")
  return { ...env, NO_UPDATE_NOTIFIER: "1", npm_config_yes: "false", ...extra }
}
