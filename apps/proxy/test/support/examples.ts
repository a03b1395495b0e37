import { readFileSync } from "node:fs"

/**
 * The single API's documented answers (`test/fixtures/single-api-examples.json`): test vectors, never edited to make
 * a test pass.
 */
export interface Examples {
  readonly example: {
    readonly promoNumberFormatted: string
    readonly promoNumber: string
    readonly trackingUrl: string
    readonly xmlTrackingUrl: string
    readonly key: string
    readonly ringPoolId: string
  }
  readonly json: string
  readonly xmlDeclaration: string
  readonly xml: string
  readonly csvHeader: string
  readonly errorXml: string
  readonly errorText: string
}

export const examples = JSON.parse(
  readFileSync(new URL("../fixtures/single-api-examples.json", import.meta.url), "utf8")
) as Examples
