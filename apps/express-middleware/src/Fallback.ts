/**
 * The number a page shows when it gets no tracking number: the site's own number, typically.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface FallbackNumber {
  /** The number to dial, e.g. `8005550100` (separators and a leading `+` are dropped). */
  readonly promoNumber: string
  /** For display. Default: `800-555-0100` for a 10-digit number (the service's own format), else `promoNumber` as written. */
  readonly promoNumberFormatted?: string | undefined
  readonly trackingUrl?: string | undefined
}

/**
 * A fallback as the page gets it: digits, a display form, and the tracking URL when one was given.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedFallback {
  readonly promoNumber: string
  readonly promoNumberFormatted: string
  readonly trackingUrl?: string
}

/**
 * Digits only, and the service's display form for a 10-digit number. Liberal on purpose: users write their
 * site's number the way it is printed (`(800) 555-0100`, `+1 800 555 0100`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (fallback: FallbackNumber): ResolvedFallback => {
  const digits = fallback.promoNumber.replace(/\D/g, "")
  const formatted =
    fallback.promoNumberFormatted ??
    (digits.length === 10 ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}` : fallback.promoNumber)
  return fallback.trackingUrl === undefined
    ? { promoNumber: digits, promoNumberFormatted: formatted }
    : { promoNumber: digits, promoNumberFormatted: formatted, trackingUrl: fallback.trackingUrl }
}

/**
 * Why a fallback is unusable, or `undefined` when it is fine.
 *
 * @since 0.1.0
 * @category validation
 */
export const problem = (fallback: unknown): string | undefined => {
  if (fallback === null || typeof fallback !== "object") return "must be an object"
  const { promoNumber, promoNumberFormatted, trackingUrl } = fallback as Record<string, unknown>
  for (const name of Object.keys(fallback)) {
    if (name !== "promoNumber" && name !== "promoNumberFormatted" && name !== "trackingUrl") {
      return `has an unknown field ${JSON.stringify(name)} (known: promoNumber, promoNumberFormatted, trackingUrl)`
    }
  }
  if (typeof promoNumber !== "string" || !/\d/.test(promoNumber)) return "needs promoNumber, a string of digits"
  // Separators are dropped, anything else would be too: `800 555 0100 ext 9` would dial 80055501009.
  if (!/^\+?[\d\s().-]+$/.test(promoNumber)) {
    return "has a promoNumber with more than digits, spaces, -, ., parentheses and a leading +: write the number a phone dials (8005550100, +1 800 555 0100)"
  }
  if (promoNumberFormatted !== undefined && typeof promoNumberFormatted !== "string") {
    return "has a promoNumberFormatted that is not a string"
  }
  if (trackingUrl !== undefined && typeof trackingUrl !== "string") return "has a trackingUrl that is not a string"
  return undefined
}
