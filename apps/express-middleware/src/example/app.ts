/**
 * An example site: a page that shows its tracking number, a JSON route for pages that swap the number in the
 * browser (AMP's `amp-call-tracking` reads `{ phoneNumber, formattedPhoneNumber }` from such a route), and an
 * AMP-style page that does so.
 *
 * The visit's parameters are its campaign: `utm_source`, `utm_campaign` and `gclid`, so a visitor who comes back
 * from another ad gets a new number, as the vendor's browser tag does.
 *
 * @since 0.1.0
 */
import { Allocation } from "@ringpool/core"
import express, { type Express, type NextFunction, type Request, type Response } from "express"
import type { RingPoolLocals } from "../Locals.ts"
import type { RingPoolOptions } from "../Options.ts"
import { ringPool } from "../RingPool.ts"

/**
 * @since 0.1.0
 * @category models
 */
export type ExampleOptions = Pick<RingPoolOptions, "pool" | "client" | "timeoutMs" | "onError" | "sticky">

/** The site's own number, shown when no tracking number can be had. */
export const siteNumber = "8005550100"

const queryValue = (req: Request, name: string): string => {
  const value = req.query[name]
  return typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : ""
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const page = (number: RingPoolLocals | undefined): string => {
  const promoNumber = number?.promoNumber
  const call =
    promoNumber === undefined
      ? "<p>Call us.</p>"
      : `<p>Call us: <a href="tel:${escapeHtml(Allocation.toE164({ promoNumber }))}">${escapeHtml(number?.promoNumberFormatted ?? promoNumber)}</a></p>`
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Example Autos</title></head>
<body>
<h1>Example Autos</h1>
${call}
<p data-source="${escapeHtml(number?.source ?? "none")}">Number source: ${escapeHtml(number?.source ?? "none")}</p>
<p data-process="${process.pid}">Served by process ${process.pid}</p>
</body>
</html>
`
}

const campaign = ["utm_source", "utm_campaign", "gclid"] as const

// An AMP page is the same for every visitor (AMP caches serve it), so it carries the site's own number and
// `amp-call-tracking` swaps in the visitor's from the JSON route, with the visit's campaign in the config URL.
// The AMP runtime comes from its CDN; this page carries a stand-in script that makes the component's request (a
// CORS GET with credentials and `__amp_source_origin`) and its swap, so the example runs offline.
const ampPage = (config: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Example Autos (AMP)</title></head>
<body>
<h1>Example Autos</h1>
<p>Call us: <amp-call-tracking config="${escapeHtml(config)}"><a href="tel:${Allocation.toE164({ promoNumber: siteNumber })}">800-555-0100</a></amp-call-tracking></p>
<script>
for (const tracking of document.querySelectorAll("amp-call-tracking")) {
  const url = new URL(tracking.getAttribute("config"), location.href)
  url.searchParams.set("__amp_source_origin", location.origin)
  fetch(url, { credentials: "include" })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then(({ phoneNumber, formattedPhoneNumber }) => {
      const link = tracking.querySelector("a")
      link.href = "tel:" + phoneNumber
      link.textContent = formattedPhoneNumber || phoneNumber
      tracking.dataset.swapped = "true"
    })
    .catch(() => { tracking.dataset.swapped = "failed" })
}
</script>
</body>
</html>
`

// AMP's CORS rules: the page's own origin, or an AMP cache's, may read the answer with the visitor's cookie;
// `__amp_source_origin` must be the site's own origin, echoed back in its header.
const allowAmpReader = (req: Request, res: Response): boolean => {
  const own = `${req.protocol}://${req.get("host")}`
  const origin = req.get("origin")
  if (origin !== undefined) {
    if (origin !== own && !/^https:\/\/[a-z0-9-]+\.cdn\.ampproject\.org$/.test(origin)) return false
    res.set({ "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", Vary: "Origin" })
  }
  const source = req.query.__amp_source_origin
  if (source !== undefined) {
    if (source !== own) return false
    res.set({
      "AMP-Access-Control-Allow-Source-Origin": own,
      "Access-Control-Expose-Headers": "AMP-Access-Control-Allow-Source-Origin"
    })
  }
  return true
}

/**
 * Builds the example app: `GET /` renders the page, `GET /phone-number.json` answers
 * `{ phoneNumber, formattedPhoneNumber, promoNumber, trackingUrl?, overflow, source }` (with AMP's CORS headers),
 * `GET /amp` is the AMP-style page that fetches it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createExampleApp = (options: ExampleOptions): Express => {
  const app: Express = express()
  const tracking = ringPool({
    ...options,
    params: (req) => Object.fromEntries(campaign.map((name) => [name, queryValue(req, name)])),
    fallback: { promoNumber: siteNumber }
  })

  app.get("/", tracking, (_req, res) => {
    res.type("html").send(page(res.locals.ringPool))
  })

  app.get("/amp", (req, res) => {
    const query = new URLSearchParams()
    for (const name of campaign) if (queryValue(req, name) !== "") query.set(name, queryValue(req, name))
    const search = query.size === 0 ? "" : `?${query}`
    res.type("html").send(ampPage(`/phone-number.json${search}`))
  })

  // Refused before the middleware, so a reader AMP does not allow spends no number.
  const ampReader = (req: Request, res: Response, next: NextFunction) => {
    if (allowAmpReader(req, res)) next()
    else res.status(403).json({ error: "origin not allowed" })
  }

  app.get("/phone-number.json", ampReader, tracking, (_req, res) => {
    // Each visitor's own number: no cache may keep it for someone else.
    res.set("Cache-Control", "private, no-store")
    const number = res.locals.ringPool
    const promoNumber = number?.promoNumber
    if (number === undefined || promoNumber === undefined) {
      // No number to swap in: the page keeps the number it was built with.
      res.status(503).json({ source: number?.source })
      return
    }
    res.json({
      phoneNumber: Allocation.toE164({ promoNumber }),
      formattedPhoneNumber: number.promoNumberFormatted ?? promoNumber,
      promoNumber,
      ...(number.trackingUrl === undefined ? {} : { trackingUrl: number.trackingUrl }),
      overflow: number.overflow,
      source: number.source
    })
  })

  return app
}
