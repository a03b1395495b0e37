/**
 * Requests as clients send them: `get` through fetch (which encodes what it must), `rawGet` byte for byte on a
 * socket, as sloppy clients write a request line (raw spaces, raw UTF-8 or Latin-1 bytes).
 */
import { Agent, request } from "node:http"
import { connect } from "node:net"

export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export const get = async (url: string, init?: RequestInit): Promise<Reply> => {
  const response = await fetch(url, init)
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
}

export const postJson = (url: string, body: unknown): Promise<Reply> =>
  get(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

/** Sends `GET <target> HTTP/1.0` with the target's characters as bytes (Latin-1), and reads the whole answer. */
export const rawGet = (baseUrl: string, target: string | Buffer, version = "1.0"): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl)
    // Written without ending our side, as clients do: the server closes the connection after its answer.
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        Buffer.concat([
          Buffer.from("GET "),
          typeof target === "string" ? Buffer.from(target, "latin1") : target,
          Buffer.from(` HTTP/${version}\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`)
        ])
      )
    })
    const chunks: Array<Buffer> = []
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", reject)
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      const split = text.indexOf("\r\n\r\n")
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n")
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(":")
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine?.split(" ")[1]), headers, body: text.slice(split + 4) })
    })
  })

/** Writes `bytes` on one connection, as they are (pipelined requests, say), and reads everything until it closes. */
export const rawExchange = (baseUrl: string, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl)
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.from(bytes, "latin1")))
    const chunks: Array<Buffer> = []
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", reject)
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

/**
 * Sends every request at once, each on a keep-alive connection opened beforehand (as a pool of application
 * workers holds them), so that all of them are in flight at the proxy together. A request with a body is a POST
 * of JSON. Answers in input order.
 */
export const concurrently = async (
  baseUrl: string,
  requests: ReadonlyArray<{ readonly path: string; readonly body?: unknown }>
): Promise<Array<Reply>> => {
  const agent = new Agent({ keepAlive: true, maxSockets: requests.length, maxFreeSockets: requests.length })
  const { hostname, port } = new URL(baseUrl)
  const send = ({ path, body }: { readonly path: string; readonly body?: unknown }) =>
    new Promise<Reply>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body)
      request(
        {
          agent,
          hostname,
          port,
          path,
          method: text === undefined ? "GET" : "POST",
          headers: text === undefined ? {} : { "content-type": "application/json" }
        },
        (res) => {
          let answer = ""
          res.setEncoding("utf8")
          res.on("data", (chunk: string) => {
            answer += chunk
          })
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: answer })
          )
        }
      )
        .on("error", reject)
        .end(text)
    })
  try {
    // One connection per request, all open before the real requests are sent.
    await Promise.all(requests.map(() => send({ path: "/healthz" })))
    return await Promise.all(requests.map(send))
  } finally {
    agent.destroy()
  }
}
