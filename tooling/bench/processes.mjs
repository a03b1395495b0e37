// Child processes of the benchmarks: each service runs in its own process, as it would in production,
// so that client and server do not share one event loop.
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"

/** Starts `node script ...args`, resolves with the first stdout line (a URL) and a stop function. */
export const startProcess = (script, args = [], env = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, ...env }
    })
    const lines = createInterface({ input: child.stdout })
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before it was ready`)))
    lines.once("line", (url) => {
      child.removeAllListeners("exit")
      const stop = () =>
        new Promise((done) => {
          child.once("exit", () => done())
          child.kill("SIGTERM")
        })
      resolve({ url: url.trim(), stop, child })
    })
  })

export const row = (i) => ({
  ringPoolId: "1",
  ringPoolKey: "bench-key",
  params: { m1: "autos", visit: String(i) },
  requestId: `b${i}`
})
