/**
 * Requests whose request line Node's HTTP parser refuses, but which sloppy clients send every day: public PHP code
 * appends `$_GET` values unencoded, so the line reads `GET /api/.../allocate_number.json?site=50% off&kw=café HTTP/1.0`
 * with raw spaces and raw non-ASCII bytes. Node answers those with a bare 400 (`HPE_INVALID_URL`,
 * `HPE_INVALID_CONSTANT`); the proxy reads them itself instead.
 *
 * Only a GET without a body is read this way (the single API is GET), only when the whole head arrived in the
 * packet Node refused, and only when the line refused is that packet's first: a packet may also hold requests
 * pipelined before it, already read and answered, and reading its first line then would serve an earlier request's
 * pool, key and parameters to this one. The server reads it so only when it is the connection's first bytes (a
 * line begun in an earlier packet would show only its tail here), and answers nothing while an earlier request of
 * the connection is still being answered (the connection is closed instead). The answer closes the connection,
 * since the stream after a line the parser refused cannot be trusted to frame. Anything else gets the status Node
 * would give.
 *
 * @since 0.1.0
 */

/** The parser's codes for a request line with characters it does not allow. */
const rescuable = new Set(["HPE_INVALID_URL", "HPE_INVALID_CONSTANT"])

// `GET <target> HTTP/1.x`, where the target is everything between: it may hold spaces.
const requestLine = /^GET (\S.*) HTTP\/1\.[01]$/

/**
 * The target of a refused GET request line (a byte string: one character per byte), or undefined when the
 * packet is not one the proxy can read.
 *
 * @since 0.1.0
 * @category parsing
 */
export const rescue = (error: {
  readonly code?: string
  readonly rawPacket?: Buffer
  /** Where in `rawPacket` the parser stopped. */
  readonly bytesParsed?: number
}): string | undefined => {
  if (error.code === undefined || !rescuable.has(error.code) || error.rawPacket === undefined) return undefined
  const head = error.rawPacket.toString("latin1")
  const end = head.indexOf("\r\n\r\n")
  if (end === -1) return undefined
  const lineEnd = head.indexOf("\r\n")
  // The refused line must be the packet's first: past it, the first line is another request's.
  if (error.bytesParsed === undefined || error.bytesParsed > lineEnd) return undefined
  const match = requestLine.exec(head.slice(0, lineEnd))
  if (match === null) return undefined
  // A body would be the start of the next request for a parser that does not know its length: refuse it.
  const headers = head.slice(lineEnd + 2, end).toLowerCase()
  if (/(^|\r\n)(content-length:\s*[1-9]|transfer-encoding:)/.test(headers)) return undefined
  const target = match[1]!
  return target.startsWith("/") || /^https?:\/\//i.test(target) ? target : undefined
}

/**
 * The status Node's server gives a request it cannot parse (when no one reads it as above).
 *
 * @since 0.1.0
 * @category parsing
 */
export const statusOf = (code: string | undefined): number =>
  code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
