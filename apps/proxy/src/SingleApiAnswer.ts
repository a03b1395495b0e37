/**
 * The single RingPool API's answers, in its three documented formats, byte for byte in the documented field order:
 * - json: `{"promo_number_formatted":"888-390-6665","tracking_url":"...","promo_number":"8883906665"}`
 * - xml: `<?xml version="1.0" encoding="UTF-8"?>` then
 *   `<Response><PromoNumberFormatted>...</PromoNumberFormatted><PromoNumber>...</PromoNumber><TrackingUrl>...</TrackingUrl></Response>`
 * - csv: the header line `PromoNumberFormatted,PromoNumber,TrackingUrl`, then one line of values.
 * Errors: xml `<Error><Class>InvalidKey</Class><Message>...</Message></Error>`; json and csv the plain text
 * `InvalidKey: API Key '...' is not valid for resource '1'`.
 *
 * Undocumented points decided here:
 * - The documented answers do not flag the overflow number, so the body does not either (a client written for the
 *   single API must read it unchanged); the header `x-ringpool-overflow: true` says it to clients that look.
 * - A number without a tracking URL leaves out the json field and the xml element, and gives an empty csv value.
 * - The xml declaration is followed by a newline; csv lines end with `\n`; the plain-text error has no newline,
 *   as documented. A csv value with a comma, quote or line break is quoted (RFC 4180).
 *
 * @since 0.1.0
 */
import type { Allocation } from "@ringpool/core"
import type { Answer } from "./Answer.ts"
import type { Failure } from "./Failure.ts"

/**
 * @since 0.1.0
 * @category models
 */
export type Format = "json" | "xml" | "csv"

const contentType: Record<Format, string> = {
  json: "application/json; charset=utf-8",
  xml: "application/xml; charset=utf-8",
  csv: "text/csv; charset=utf-8"
}

const overflowHeaders = { "x-ringpool-overflow": "true" }

// Element text only (no attributes are written): `&`, `<` and `>`; quotes stay as the documented messages have them.
// A carriage return is written as a reference, which XML parsers keep (a raw one they turn into a line feed). What
// XML 1.0 cannot hold at all (other control characters, U+FFFE, U+FFFF, a lone surrogate), which an upstream's text
// could carry, becomes U+FFFD, as do the C1 controls it only discourages: the document stays well-formed.
const xmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" }
const xmlSpecial = /[&<>\r]|(?![\t\n])\p{Cc}|\p{Cs}|[\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]/gu
const xml = (text: string): string => text.replace(xmlSpecial, (c) => xmlEscapes[c] ?? "\uFFFD")

// Text keeps tab and line breaks; other control characters from an upstream's text (a terminal's escape sequences,
// say, where a script prints the answer) and the bidirectional overrides that reorder what a reader sees become
// U+FFFD, in every format.
const textControl = /(?![\t\n\r])\p{Cc}|[\u202A-\u202E\u2066-\u2069]/gu
const text = (value: string): string => value.replace(textControl, "\uFFFD")

const csvSpecial = /[",\r\n]/
const csv = (text: string): string => (csvSpecial.test(text) ? `"${text.replace(/"/g, '""')}"` : text)

const bodyOf = (format: Format, allocation: Allocation.Allocation): string => {
  const url = allocation.trackingUrl
  switch (format) {
    case "json":
      return `{"promo_number_formatted":${JSON.stringify(text(allocation.promoNumberFormatted))}${
        url === undefined ? "" : `,"tracking_url":${JSON.stringify(text(url))}`
      },"promo_number":${JSON.stringify(text(allocation.promoNumber))}}`
    case "xml":
      return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><PromoNumberFormatted>${xml(
        allocation.promoNumberFormatted
      )}</PromoNumberFormatted><PromoNumber>${xml(allocation.promoNumber)}</PromoNumber>${
        url === undefined ? "" : `<TrackingUrl>${xml(url)}</TrackingUrl>`
      }</Response>`
    case "csv":
      return `PromoNumberFormatted,PromoNumber,TrackingUrl\n${csv(text(allocation.promoNumberFormatted))},${csv(
        text(allocation.promoNumber)
      )},${csv(text(url ?? ""))}\n`
  }
}

/**
 * The answer for an allocated number (the overflow number too: the documented API succeeds with it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const allocated = (format: Format, allocation: Allocation.Allocation): Answer => ({
  status: 200,
  contentType: contentType[format],
  body: bodyOf(format, allocation),
  headers: allocation.overflow ? overflowHeaders : undefined
})

/**
 * The answer for a request that got no number, in the format's documented error form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const failed = (format: Format, failure: Failure): Answer =>
  format === "xml"
    ? {
        status: failure.status,
        contentType: contentType.xml,
        body: `<Error><Class>${xml(failure.errorClass)}</Class><Message>${xml(failure.message)}</Message></Error>`
      }
    : {
        status: failure.status,
        contentType: "text/plain; charset=utf-8",
        body: text(`${failure.errorClass}: ${failure.message}`)
      }
