/**
 * An example site: a page that shows its tracking number, and a JSON route for pages that swap the number in the
 * browser (AMP's `amp-call-tracking` reads `{ phoneNumber, formattedPhoneNumber }` from such a route).
 *
 * The visit's parameters are its campaign: `utm_source`, `utm_campaign` and `gclid`, so a visitor who comes back
 * from another ad gets a new number, as the vendor's browser tag does.
 *
 * @since 0.1.0
 */
import { Allocation } from "@ringpool/core"
import express, { type Express, type Request } from "express"
import type { RingPoolLocals } from "../Locals.ts"
import type { RingPoolOptions } from "../Options.ts"
import { ringPool } from "../RingPool.ts"

/**
 * @since 0.1.0
 * @category models
 */
export type ExampleOptions = Pick<RingPoolOptions, "pool" | "client" | "timeoutMs" | "onError">

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
</body>
</html>
`
}

/**
 * Builds the example app: `GET /` renders the page, `GET /phone-number.json` answers
 * `{ phoneNumber, formattedPhoneNumber, promoNumber, trackingUrl?, overflow, source }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createExampleApp = (options: ExampleOptions): Express => {
  const app: Express = express()
  const tracking = ringPool({
    ...options,
    params: (req) => ({
      utm_source: queryValue(req, "utm_source"),
      utm_campaign: queryValue(req, "utm_campaign"),
      gclid: queryValue(req, "gclid")
    }),
    fallback: { promoNumber: siteNumber }
  })

  app.get("/", tracking, (_req, res) => {
    res.type("html").send(page(res.locals.ringPool))
  })

  app.get("/phone-number.json", tracking, (_req, res) => {
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
