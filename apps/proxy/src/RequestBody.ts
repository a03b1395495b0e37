/**
 * A request's body, read up to a limit: a bigger one is refused as soon as it is known to be bigger (its
 * `content-length`, or the first chunk past the limit), so memory stays bounded whatever a caller sends. Reading
 * always settles, so that a request whose caller went away mid-body still ends (and `close()` is not left waiting).
 *
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"

/**
 * The body was larger than the limit; what arrived of it was dropped.
 *
 * @since 0.1.0
 * @category models
 */
export class TooLarge {
  constructor(readonly limit: number) {}
}

/**
 * The body did not arrive whole: the connection closed or broke before its end.
 *
 * @since 0.1.0
 * @category models
 */
export class Unfinished {}

/**
 * Reads the body as UTF-8 text.
 *
 * @since 0.1.0
 * @category reading
 */
export const read = (req: IncomingMessage, limit: number): Promise<string | TooLarge | Unfinished> => {
  const declared = Number(req.headers["content-length"])
  if (declared > limit) return Promise.resolve(new TooLarge(limit))
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.off("data", onData)
        chunks.length = 0
        // The rest is read and dropped until the connection closes, so that the answer is not stuck behind it.
        req.resume()
        resolve(new TooLarge(limit))
        return
      }
      chunks.push(chunk)
    }
    req.on("data", onData)
    req.once("end", () => {
      if (size <= limit) resolve(Buffer.concat(chunks, size).toString("utf8"))
    })
    // After `end` these change nothing: a promise settles once.
    const unfinished = () => resolve(new Unfinished())
    req.once("error", unfinished)
    req.once("close", unfinished)
  })
}
