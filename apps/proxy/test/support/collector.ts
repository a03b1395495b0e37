/**
 * An OTLP collector for tests: an HTTP server on loopback that keeps every body it is sent, by path
 * (`/v1/traces`, `/v1/metrics`), and answers 200 as a collector does.
 */
import { createServer } from "node:http"

export interface Export {
  readonly path: string
  readonly contentType: string
  readonly body: Buffer
}

export interface Collector {
  /** Base URL, e.g. `http://127.0.0.1:43210`: what `OTEL_EXPORTER_OTLP_ENDPOINT` names. */
  readonly url: string
  readonly exports: Array<Export>
  /** Every body sent to `path`, as text (Latin-1, so that protobuf bytes survive as characters). */
  readonly received: (path: string) => string
  readonly close: () => Promise<void>
}

export const startCollector = async (): Promise<Collector> => {
  const exports: Array<Export> = []
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      exports.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", body: Buffer.concat(chunks) })
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`,
    exports,
    received: (path) =>
      exports
        .filter((e) => e.path === path)
        .map((e) => e.body.toString("latin1"))
        .join("\n"),
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
