/**
 * A number handed out for one row.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface Allocation {
  /** The `request_id` of the row, as the caller gave it (absent when the caller gave none). */
  readonly requestId?: string
  /** Digits only, e.g. `8883906665`. */
  readonly promoNumber: string
  /** For display, e.g. `888-390-6665`. */
  readonly promoNumberFormatted: string
  readonly trackingUrl?: string
  /**
   * True when this is the pool's overflow number: every visitor beyond the pool's capacity shares it, so calls
   * to it cannot be attributed to one visit. The service omits the field when false; here it is always a boolean.
   */
  readonly overflow: boolean
}

/**
 * The E.164 form of the number, for `tel:` links and telephony APIs: a 10-digit North American number gets
 * `+1`, an 11-digit one starting with 1 gets `+`; anything else is returned as its digits with a `+`
 * (the service does not document other formats, so we do not guess a country).
 *
 * @since 0.1.0
 * @category formatting
 */
export const toE164 = (allocation: Pick<Allocation, "promoNumber">): string => {
  const digits = allocation.promoNumber.replace(/\D/g, "")
  if (digits.length === 10) return `+1${digits}`
  return `+${digits}`
}
