/**
 * Runs the BUILT `ringpool` as a user would: `node dist/bin.js ...` in a child process, with real stdin, stdout and
 * stderr, and an environment without any RINGPOOL_* of the machine running the tests.
 */
import { spawn } from "node:child_process"
import { closeSync, openSync, readdirSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
export const bin = `${root}dist/bin.js`

const newest = (dir: string): number => {
  try {
    return Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory() ? newest(`${dir}/${entry.name}`) : statSync(`${dir}/${entry.name}`).mtimeMs
      )
    )
  } catch {
    return 0
  }
}

// These tests are about the built binary: testing a stale one would prove nothing about the sources.
// (A build rewrites only the outputs that changed, so compare the newest file on each side.)
if (newest(`${root}dist`) < newest(`${root}src`)) {
  throw new Error("apps/cli/dist is missing or older than src: run `pnpm --filter @ringpool/cli build` first")
}

export interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** With `peak: true`: the child's peak resident set size, in MiB (its report is left out of `stderr`). */
  readonly peakMiB: number
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  readonly input?: string
  /** The child's stdin is this file, opened for reading (as `< FILE` does), instead of a pipe. */
  readonly stdinFile?: string
  /** Added to the cleaned environment. */
  readonly env?: Record<string, string>
  /** Flags for `node` itself, before the script. */
  readonly nodeArgs?: ReadonlyArray<string>
  /** Measure the child's peak RSS (a preloaded script reports it as the child exits). */
  readonly peak?: boolean
}

const peakReporter = fileURLToPath(new URL("./peakRss.cjs", import.meta.url))
const peakLine = /peak-rss-kib=(\d+)\n/

/**
 * This process's environment without RINGPOOL_* (and without npm's npm_*, which say how the tests were started and
 * change what the demo suggests), plus `extra`.
 */
export const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("RINGPOOL_") && !name.startsWith("npm_")) env[name] = value
  }
  return { ...env, NO_COLOR: "1", ...extra }
}

export const ringpool = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env = cleanEnv(options.env)
    if (options.peak === true) env.NODE_OPTIONS = `--require ${peakReporter}`
    const stdinFd = options.stdinFile === undefined ? undefined : openSync(options.stdinFile, "r")
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
      env,
      stdio: [stdinFd ?? "pipe", "pipe", "pipe"]
    })
    if (stdinFd !== undefined) closeSync(stdinFd)
    let stdout = ""
    let stderr = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code, signal) => {
      const peak = peakLine.exec(stderr)
      resolve({
        code,
        signal,
        stdout,
        stderr: stderr.replace(peakLine, ""),
        peakMiB: peak === null ? Number.NaN : Number(peak[1]) / 1024
      })
    })
    child.stdin?.on("error", () => undefined)
    child.stdin?.end(options.input ?? "")
  })

/** The lines of an NDJSON output, parsed. */
export const ndjson = (text: string): Array<Record<string, unknown>> =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
