/**
 * Reads a single-API request target, `/api/<date>/ring_pools/<id>/allocate_number.<format>?ring_pool_key=KEY&...`,
 * as leniently as the clients that send it: public PHP code appends `$_GET` values unencoded, so a value may hold
 * raw spaces, a lone `%` ("50% off"), raw UTF-8 or Latin-1 bytes, or `+` for a space.
 *
 * Decided here (the single API documents none of it):
 * - Any date segment is accepted, with or without `ring_pools/` (the core's `ApiSuffix.matchSingleApiPath`).
 * - Names and values: `+` is a space; `%XX` is a byte; a `%` not followed by two hex digits is itself; the bytes are
 *   read as UTF-8, or as Windows-1252 (Latin-1) when they are not valid UTF-8.
 * - `ring_pool_key` is recognised under any case or encoding of its name (`ApiSuffix.isKeyName`); the last one
 *   given wins, as in `ApiSuffix.parse`. Every other pair is a parameter, in order, repeats kept.
 * - `&` always separates pairs (an unencoded `&` in a value cannot be told apart); a pair without `=` is a parameter
 *   with an empty value, a pair without a name is skipped; a `#` is kept as part of a value, since a client that sends one meant it.
 *
 * @since 0.1.0
 */
import { ApiSuffix } from "@ringpool/core"
import type { Format } from "./SingleApiAnswer.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface SingleApiRequest {
  readonly format: Format
  readonly ringPoolId: string
  /** In the clear: it travels only upstream. Undefined when the query has none (or an empty one). */
  readonly key: string | undefined
  readonly params: ReadonlyArray<readonly [string, string]>
}

const plain = /^[^%+\x80-\xff]*$/
const utf8 = new TextDecoder("utf-8", { fatal: true })
const windows1252 = new TextDecoder("windows-1252")

const hexValue = (code: number): number => {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

/**
 * One name or value, decoded as described above. `raw` is a byte string: every character is one byte of the
 * request line, as Node gives the URL (ASCII) or as the proxy reads a request line Node refused (Latin-1).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeComponent = (raw: string): string => {
  if (plain.test(raw)) return raw
  const bytes = new Uint8Array(raw.length)
  let length = 0
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i)
    if (code === 0x2b) {
      bytes[length++] = 0x20
      continue
    }
    if (code === 0x25 && i + 2 < raw.length) {
      const high = hexValue(raw.charCodeAt(i + 1))
      const low = hexValue(raw.charCodeAt(i + 2))
      if (high !== -1 && low !== -1) {
        bytes[length++] = (high << 4) | low
        i += 2
        continue
      }
    }
    bytes[length++] = code & 0xff
  }
  const decoded = bytes.subarray(0, length)
  try {
    return utf8.decode(decoded)
  } catch {
    return windows1252.decode(decoded)
  }
}

/**
 * The request an origin-form target (`/api/...?...`) asks for, or undefined when its path is not the single API's.
 *
 * @since 0.1.0
 * @category parsing
 */
export const read = (target: string): SingleApiRequest | undefined => {
  const question = target.indexOf("?")
  const path = ApiSuffix.matchSingleApiPath(question === -1 ? target : target.slice(0, question))
  if (path === undefined) return undefined
  let key: string | undefined
  const params: Array<readonly [string, string]> = []
  if (question !== -1) {
    for (const pair of target.slice(question + 1).split("&")) {
      if (pair === "") continue
      const eq = pair.indexOf("=")
      const rawName = eq === -1 ? pair : pair.slice(0, eq)
      // `&=x` names nothing: a stray separator, not a parameter the service could use.
      if (rawName === "") continue
      const value = eq === -1 ? "" : decodeComponent(pair.slice(eq + 1))
      if (ApiSuffix.isKeyName(rawName)) key = value === "" ? undefined : value
      else params.push([decodeComponent(rawName), value])
    }
  }
  return { format: path.format, ringPoolId: path.ringPoolId, key, params }
}
