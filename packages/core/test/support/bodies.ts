import type { IncomingMessage } from "node:http"

/** Calls `done` with a request's whole body: test servers read small bodies they sent themselves. */
export const readBody = (req: IncomingMessage, done: (body: string) => void): void => {
  let body = ""
  req.setEncoding("utf8")
  req.on("data", (chunk: string) => {
    body += chunk
  })
  req.on("end", () => done(body))
}
