// A page view of the example over real HTTP, as a browser would make it: one new connection, a desktop user agent,
// the visitor's cookie. What it reads back is what the page shows.
import { request } from "node:http"

export const desktopUserAgent =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

export interface PageView {
  readonly status: number
  /** The number the page shows, digits only (`tel:+1...`), or undefined. */
  readonly promoNumber: string | undefined
  readonly source: string | undefined
  /** The process that served it. */
  readonly process: string | undefined
  readonly elapsedMs: number
  /** `name=value` of the visitor cookie the page set, if any. */
  readonly setCookie: string | undefined
}

/** A visitor: their cookie, kept from one page view to the next like a browser's. */
export class Visitor {
  cookie: string | undefined
  view(base: string, path: string): Promise<PageView> {
    return viewPage(base, path, this.cookie).then((view) => {
      if (view.setCookie !== undefined) this.cookie = view.setCookie
      return view
    })
  }
}

const maxBody = 64 * 1024

export const viewPage = (base: string, path: string, cookie?: string): Promise<PageView> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const headers: Record<string, string> = { "User-Agent": desktopUserAgent, Accept: "text/html" }
    if (cookie !== undefined) headers.Cookie = cookie
    const req = request(new URL(path, base), { headers, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        if (body.length < maxBody) body += chunk
      })
      res.on("end", () => {
        const setCookie = res.headers["set-cookie"]?.find((line) => line.startsWith("ringpool_visitor="))
        resolve({
          status: res.statusCode ?? 0,
          promoNumber: /href="tel:\+1(\d{10})"/.exec(body)?.[1],
          source: /data-source="([a-z]+)"/.exec(body)?.[1],
          process: /data-process="(\d+)"/.exec(body)?.[1],
          elapsedMs: performance.now() - started,
          setCookie: setCookie?.split(";")[0]
        })
      })
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end()
  })
