/**
 * What the proxy sends back for one request: a status, a content type and a body, whichever route made it. The
 * same answer is written through Node's response object or, for a request line Node's parser refused (see
 * `SloppyRequestLine`), straight onto the socket.
 *
 * @since 0.1.0
 */
import type { ServerResponse } from "node:http"
import { STATUS_CODES } from "node:http"

/**
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  /** Extra headers, e.g. `allow` on a 405 or `x-ringpool-overflow` on the overflow number. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * A plain-text answer (health, usage errors outside the API's own paths).
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (status: number, body: string, headers?: Readonly<Record<string, string>>): Answer => ({
  status,
  contentType: "text/plain; charset=utf-8",
  body,
  headers
})

/**
 * Writes the answer through Node's response. `close` asks the client to close the connection (the proxy is
 * shutting down, or the request's body was left unread).
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (res: ServerResponse, answer: Answer, close: boolean): void => {
  const headers: Record<string, string | number> = {
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body)
  }
  if (answer.headers !== undefined) Object.assign(headers, answer.headers)
  if (close) headers.connection = "close"
  res.writeHead(answer.status, headers)
  res.end(answer.body)
}

/**
 * The whole HTTP/1.1 response as bytes, for a socket Node's server no longer manages. It always closes the
 * connection: after a request line the parser refused, the rest of the stream cannot be trusted to frame.
 *
 * @since 0.1.0
 * @category writing
 */
export const serialize = (answer: Answer): string => {
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\ncontent-type: ${answer.contentType}\r\ncontent-length: ${Buffer.byteLength(answer.body)}\r\n`
  if (answer.headers !== undefined)
    for (const [name, value] of Object.entries(answer.headers)) head += `${name}: ${value}\r\n`
  return `${head}connection: close\r\n\r\n${answer.body}`
}
