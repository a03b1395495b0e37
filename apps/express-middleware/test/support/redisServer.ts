// A real redis-server per test file, on a free loopback port, with nothing written to disk. A machine without it
// fails the suite with one line that says what to install: these tests are never skipped.
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { once } from "node:events"
import { createConnection, createServer } from "node:net"

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** Stops the server (its data is gone: it keeps nothing on disk). */
  readonly stop: () => Promise<void>
  /** Starts it again on the same port (nothing when it runs). */
  readonly start: () => Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open, nothing answers. `resume` thaws it. */
  readonly freeze: () => void
  readonly resume: () => void
}

const binary = (): string => {
  try {
    return execFileSync("/bin/sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim()
  } catch {
    throw new Error(
      "redis-server is not installed: run `apt-get install -y redis-server` (these tests start a real one)"
    )
  }
}

export const freePort = async (): Promise<number> => {
  const server = createServer()
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, "close")
  return port
}

const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    socket.setTimeout(500, () => socket.destroy())
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (data) => {
      socket.destroy()
      resolve(data.toString().startsWith("+PONG"))
    })
    socket.once("error", () => resolve(false))
    socket.once("close", () => resolve(false))
  })

export const startRedis = async (): Promise<RedisServer> => {
  const command = binary()
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    if (child !== undefined && child.exitCode === null) return
    child = spawn(command, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore"
    })
    const started = Date.now()
    while (!(await answersPing(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}`)
      if (Date.now() - started > 10_000) throw new Error(`redis-server did not answer on port ${port} within 10 s`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    running.kill("SIGCONT")
    running.kill("SIGKILL")
    await once(running, "exit")
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    freeze: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT")
  }
}
