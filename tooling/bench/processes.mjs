// Child processes of the benchmarks: each service runs in its own process, as it would in production,
// so that client and server do not share one event loop.
import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
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

// USER_HZ: the unit of /proc's CPU times, 100 on every Linux architecture these benchmarks run on.
const ticksPerSecond = 100

/**
 * CPU seconds a process has used so far (user and system), from /proc: what a benchmark divides by the work done
 * to show where the time goes. `undefined` where there is no /proc (not Linux) or the process has exited.
 */
export const cpuSecondsOf = async (pid) => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8")
    // The fields after the command name (in parentheses, and it may hold spaces): utime and stime are 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return undefined
  }
}

/** CPU seconds that `pids` used while `work` ran (`undefined` for one that could not be read), and its result. */
export const cpuDuring = async (pids, work) => {
  const before = await Promise.all(pids.map(cpuSecondsOf))
  const result = await work()
  const after = await Promise.all(pids.map(cpuSecondsOf))
  return {
    result,
    seconds: pids.map((_, i) => (before[i] === undefined || after[i] === undefined ? undefined : after[i] - before[i]))
  }
}
