/**
 * Raw HTTP for tests: bytes on a real socket, no client library in between, so that what a test asserts is what
 * the fake put on the wire.
 */
import { type Agent, request } from "node:http"

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly text: string
  /** True when the request went out on a socket that an earlier request had opened (keep-alive). */
  readonly reusedSocket: boolean
}

export const send = (baseUrl: string, method: string, path: string, body?: string, agent?: Agent): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, agent: agent ?? false }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        text += chunk
      })
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, text, reusedSocket: req.reusedSocket })
      )
      res.on("error", reject)
    })
    req.on("error", reject)
    if (body !== undefined) req.setHeader("content-type", "application/json")
    req.end(body)
  })

export const postBulk = (baseUrl: string, body: unknown, agent?: Agent): Promise<RawAnswer> =>
  send(baseUrl, "POST", "/api/2013-07-01/bulk.json", typeof body === "string" ? body : JSON.stringify(body), agent)
