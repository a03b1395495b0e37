// The built example (dist/example/serve.js) in a process of its own, as a user runs it.
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"

export const serveScript = fileURLToPath(new URL("../../dist/example/serve.js", import.meta.url))

export interface ExampleProcess {
  readonly url: string
  readonly child: ChildProcess
  /** What it printed on stderr so far. */
  readonly stderr: () => string
  /** SIGTERM, and its exit code once it has shut down by itself. */
  readonly stop: () => Promise<number | null>
}

/** Starts the example with this environment (over the test's own, less any RINGPOOL_* it has). */
export const startExample = async (env: Record<string, string>): Promise<ExampleProcess> => {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("RINGPOOL_")))
  const child = spawn(process.execPath, [serveScript], {
    env: { ...inherited, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8")
  child.stderr!.setEncoding("utf8")
  child.stderr!.on("data", (chunk: string) => {
    // Bounded: a test reads the first lines, a chatty process must not grow the test's memory.
    if (stderr.length < 64_000) stderr += chunk
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (chunk: string) => {
        if (stdout.length < 64_000) stdout += chunk
        const found = /Example at (http:\/\/[^/\s]+)/.exec(stdout)
        if (found) resolve(found[1]!)
      })
      child.once("exit", (code) => reject(new Error(`the example exited with ${code}: ${stderr.trim()}`)))
    })
    return {
      url,
      child,
      stderr: () => stderr,
      stop: async () => {
        if (child.exitCode !== null) return child.exitCode
        child.kill("SIGTERM")
        const [code] = await once(child, "exit")
        return code as number | null
      }
    }
  } catch (error) {
    child.kill("SIGKILL")
    throw error
  }
}
