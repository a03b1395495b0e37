/**
 * The `api_suffix` of a bulk row: the single RingPool API URL after `/api/<date>/`, e.g.
 * `12345/allocate_number.json?ring_pool_key=KEY&m1=autos`.
 *
 * `make` writes parameters in the caller's order and percent-encodes every name and value as RFC 3986 says
 * (a space is `%20`, as in the vendor's own example). `parse` is its exact inverse and is liberal in what it
 * reads: `+` as a space, a leading `/` or `ring_pools/`.
 *
 * @since 0.1.0
 */
import { Redacted, Result } from "effect"
import type { AllocationRequest, ValidRequest } from "./AllocationRequest.ts"

const unreserved = /^[A-Za-z0-9\-._~]*$/
const subDelims = /[!'()*]/g

/**
 * Percent-encodes a name or value: everything but RFC 3986's unreserved characters.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (text: string): string =>
  // Most parameters are plain words: skip the encoder for them (this runs for every row).
  unreserved.test(text)
    ? text
    : encodeURIComponent(text).replace(subDelims, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const pairsOf = (params: AllocationRequest["params"]): ReadonlyArray<readonly [string, string]> =>
  Array.isArray(params) ? params : Object.entries(params as Record<string, string>)

/**
 * Builds the suffix of a request. The key is written as given: show suffixes to people only through `mask`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (request: AllocationRequest | ValidRequest): string => {
  const key = request.ringPoolKey
  let suffix = `${encode(String(request.ringPoolId))}/allocate_number.json?ring_pool_key=${encode(
    key === undefined ? "" : typeof key === "string" ? key : Redacted.value(key)
  )}`
  for (const [name, value] of pairsOf(request.params)) suffix += `&${encode(name)}=${encode(value)}`
  return suffix
}

// A query parameter of a suffix or URL: its lead character, its name as written, and its value.
const queryParameter = /([?&;])([^&#;=]*)=[^&#;]*/g

/**
 * Whether a parameter name, as written, names the key: `ring_pool_key` in any percent-encoding or case
 * (`ring%5Fpool%5Fkey`, `RING_POOL_KEY`), since a lenient server may read it so. Masking errs towards hiding.
 *
 * @since 0.1.0
 * @category redaction
 */
export const isKeyName = (name: string): boolean => {
  if (name.length < 13) return false
  const decoded = name.indexOf("%") === -1 && name.indexOf("+") === -1 ? name : decode(name)
  return decoded !== undefined && decoded.toLowerCase() === "ring_pool_key"
}

/**
 * A suffix with its key replaced by `<redacted>`: safe to print or log.
 *
 * @since 0.1.0
 * @category redaction
 */
export const mask = (suffix: string): string =>
  suffix.replace(queryParameter, (whole, lead: string, name: string) =>
    isKeyName(name) ? `${lead}${name}=<redacted>` : whole
  )

/**
 * A parsed suffix. The key is `Redacted` (absent when the suffix has none: the service answers that row with an error).
 *
 * @since 0.1.0
 * @category models
 */
export interface ParsedSuffix {
  readonly ringPoolId: string
  readonly ringPoolKey: Redacted.Redacted<string> | undefined
  readonly params: ReadonlyArray<readonly [string, string]>
}

/**
 * What `parse` returns. The key is held in a private field and wrapped in a `Redacted` only when asked for: a server
 * parses a suffix per row, and a `Redacted` costs a registry entry each. It is not enumerable, so spreading or
 * serialising a parsed suffix never copies the key.
 */
class Parsed implements ParsedSuffix {
  readonly #key: string | undefined
  constructor(
    readonly ringPoolId: string,
    key: string | undefined,
    readonly params: ReadonlyArray<readonly [string, string]>
  ) {
    this.#key = key
  }
  get ringPoolKey(): Redacted.Redacted<string> | undefined {
    return this.#key === undefined ? undefined : Redacted.make(this.#key)
  }
  static keyOf(parsed: ParsedSuffix): string | undefined {
    if (#key in parsed) return parsed.#key
    return parsed.ringPoolKey === undefined ? undefined : Redacted.value(parsed.ringPoolKey)
  }
}

/**
 * The key of a parsed suffix in the clear, as `Redacted.value(parsed.ringPoolKey)` gives it, without making a
 * `Redacted` first: for servers that compare keys per row. Never log what it returns.
 *
 * @since 0.1.0
 * @category parsing
 */
export const keyOf = (parsed: ParsedSuffix): string | undefined => Parsed.keyOf(parsed)

const decode = (text: string): string | undefined => {
  if (text.indexOf("+") !== -1) text = text.replace(/\+/g, " ")
  if (text.indexOf("%") === -1) return text
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

// The resource of the single RingPool API, after `/api/<date>/`: `[ring_pools/]<id>/allocate_number.<format>`.
const resource = String.raw`(?:ring_pools\/)?([^/?#]+)\/allocate_number\.`
const path = new RegExp(String.raw`^\/?${resource}json$`)
const singleApiPath = new RegExp(String.raw`^\/api\/([\w.-]+)\/${resource}(json|xml|csv)$`)

/**
 * The single RingPool API's path, `/api/<date>/[ring_pools/]<id>/allocate_number.(json|xml|csv)`, read into its parts
 * (the id decoded), or undefined when the path is not one. Any date segment is accepted: public code uses several.
 *
 * @since 0.1.0
 * @category parsing
 */
export const matchSingleApiPath = (
  pathname: string
):
  | { readonly apiVersion: string; readonly ringPoolId: string; readonly format: "json" | "xml" | "csv" }
  | undefined => {
  const match = singleApiPath.exec(pathname)
  if (match === null) return undefined
  const ringPoolId = decode(match[2]!)
  if (ringPoolId === undefined || ringPoolId === "") return undefined
  return { apiVersion: match[1]!, ringPoolId, format: match[3] as "json" | "xml" | "csv" }
}

/**
 * Reads a suffix back into pool id, key and parameters (in order, repeats kept). Fails with a description
 * of what is wrong, never with the key in it.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (suffix: string): Result.Result<ParsedSuffix, string> => {
  if (typeof suffix !== "string") return Result.fail("api_suffix must be a string")
  const hash = suffix.indexOf("#")
  if (hash !== -1) suffix = suffix.slice(0, hash)
  const question = suffix.indexOf("?")
  const match = path.exec(question === -1 ? suffix : suffix.slice(0, question))
  if (match === null)
    return Result.fail("api_suffix must look like <ring_pool_id>/allocate_number.json?ring_pool_key=...")
  const ringPoolId = decode(match[1]!)
  if (ringPoolId === undefined || ringPoolId === "")
    return Result.fail("the ring pool id is not valid percent-encoding")
  let ringPoolKey: string | undefined
  const params: Array<readonly [string, string]> = []
  if (question !== -1) {
    for (const part of suffix.slice(question + 1).split("&")) {
      if (part === "") continue
      const eq = part.indexOf("=")
      const name = decode(eq === -1 ? part : part.slice(0, eq))
      const value = eq === -1 ? "" : decode(part.slice(eq + 1))
      if (name === undefined || value === undefined) {
        return Result.fail("a parameter of api_suffix is not valid percent-encoding")
      }
      if (name === "ring_pool_key") ringPoolKey = value
      else params.push([name, value])
    }
  }
  return Result.succeed(new Parsed(ringPoolId, ringPoolKey, params))
}
