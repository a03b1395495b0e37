/**
 * One row to allocate a number for: which pool, its key, and the visit's parameters.
 *
 * Requests are plain objects so that code without Effect can build them. They are checked against the
 * documented rules before any I/O (`validate`); a request that breaks one fails alone with `InvalidRequest`.
 *
 * @since 0.1.0
 */
import { Redacted } from "effect"
import * as ApiSuffix from "./ApiSuffix.ts"
import * as RingPoolError from "./RingPoolError.ts"

/**
 * Parameters in the caller's order: a record, or name/value pairs when the order or repeated names matter
 * (a record puts integer-like names first, as JavaScript objects do).
 *
 * @since 0.1.0
 * @category models
 */
export type Params = Readonly<Record<string, string>> | ReadonlyArray<readonly [name: string, value: string]>

/**
 * @since 0.1.0
 * @category models
 */
export interface AllocationRequest {
  /** The RingPool's id, as in the API URL. */
  readonly ringPoolId: string | number
  /**
   * The RingPool's key. Held as `Redacted` once validated; a plain string is accepted for convenience.
   * Optional when the client has a default key (`RINGPOOL_KEY`).
   */
  readonly ringPoolKey?: string | Redacted.Redacted<string> | undefined
  /** At least one RingPool parameter; values may be empty strings. */
  readonly params: Params
  /** Echoed back by the service; optional and need not be unique. */
  readonly requestId?: string | undefined
}

/**
 * A request that passed `validate`: id as a string, key redacted, parameters as pairs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidRequest {
  readonly ringPoolId: string
  readonly ringPoolKey: Redacted.Redacted<string>
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly requestId: string | undefined
}

const invalid = (description: string, requestId: string | undefined) =>
  RingPoolError.make(new RingPoolError.InvalidRequest({ description }), requestId)

const toPairs = (params: Params): ReadonlyArray<readonly [string, string]> =>
  Array.isArray(params) ? params : Object.entries(params as Record<string, string>)

/**
 * The longest `ringPoolKey` accepted: keys are a few dozen characters (the documentation's example has 14). A longer
 * one is no key, and would cost its pieces' masking tables (every 6-character window of each encoded form)
 * megabytes, for every such row.
 *
 * @since 0.1.0
 * @category validation
 */
export const maxKeyChars = 256

// The id is a path segment of the suffix: '/', '?', '#' or '%' in it would address another resource.
const unsafeId = /[/?#%\s]/

/**
 * A request that passed the checks, its key still in the clear: what the engine puts on the wire. Internal: the
 * key leaves this shape only inside a suffix.
 *
 * @internal
 */
export interface CheckedRequest {
  readonly ringPoolId: string
  readonly key: string
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly requestId: string | undefined
}

/** A parameter's name for a message: cut, and with the row's key masked (a name could be the key, pasted by mistake). */
const quoted = (name: string, key: string): string => RingPoolError.maskKey(JSON.stringify(name.slice(0, 100)), key)

/**
 * The checks behind `validate`, without wrapping the key in a `Redacted` (a registry entry per row, which the hot
 * path does not need: the key goes straight into the suffix). Plain code on purpose: it runs once per row, where a
 * schema decode would cost more than the rest of the row's work.
 *
 * @internal
 */
export const check = (
  request: AllocationRequest,
  defaultKey?: Redacted.Redacted<string>
): CheckedRequest | RingPoolError.RingPoolError => {
  try {
    return checkFields(request, defaultKey)
  } catch {
    // A getter or proxy that throws: the row fails alone, and nothing it threw (which could quote anything) is shown.
    return invalid("reading the request threw an error: pass plain objects of strings", undefined)
  }
}

const checkFields = (
  request: AllocationRequest,
  defaultKey: Redacted.Redacted<string> | undefined
): CheckedRequest | RingPoolError.RingPoolError => {
  if (request === null || typeof request !== "object") return invalid("expected an object", undefined)
  const requestId = request.requestId
  if (requestId !== undefined && typeof requestId !== "string") return invalid("requestId must be a string", undefined)
  const id = request.ringPoolId
  const ringPoolId = typeof id === "number" ? (Number.isSafeInteger(id) && id >= 0 ? String(id) : "") : id
  if (typeof ringPoolId !== "string" || ringPoolId.length === 0) {
    return invalid("ringPoolId must be a non-empty string or a non-negative integer", requestId)
  }
  if (unsafeId.test(ringPoolId)) {
    return invalid("ringPoolId may not contain '/', '?', '#', '%' or spaces", requestId)
  }
  // `.` and `..` are path segments of their own: `../allocate_number.json` would name another resource.
  if (ringPoolId === "." || ringPoolId === "..") return invalid("ringPoolId may not be '.' or '..'", requestId)
  // A lone surrogate cannot be percent-encoded: caught here, it fails its row instead of the encoder throwing.
  if (!ringPoolId.isWellFormed()) return invalid("ringPoolId is not well-formed Unicode (a lone surrogate)", requestId)
  const given = request.ringPoolKey ?? defaultKey
  const key = typeof given === "string" ? given : Redacted.isRedacted(given) ? Redacted.value(given) : undefined
  if (typeof key !== "string" || key === "") {
    return invalid("ringPoolKey is required (a non-empty string): pass it, or set RINGPOOL_KEY", requestId)
  }
  if (key.length > maxKeyChars) {
    return invalid(`ringPoolKey is longer than ${maxKeyChars} characters: that is not a ring pool key`, requestId)
  }
  if (!key.isWellFormed()) return invalid("ringPoolKey is not well-formed Unicode (a lone surrogate)", requestId)
  const params = request.params
  if (params === null || typeof params !== "object") {
    return invalid('params must be an object of name/value strings, e.g. { m1: "autos" }', requestId)
  }
  const givenPairs = toPairs(params)
  // Documented: at least one RingPool parameter, even if its value is an empty string.
  if (givenPairs.length === 0) return invalid('at least one parameter is required, e.g. { m1: "" }', requestId)
  // The caller's own pairs are read once, into pairs of ours: what was checked is what is sent.
  const pairs = Array.isArray(params) ? new Array<readonly [string, string]>(givenPairs.length) : givenPairs
  for (let i = 0; i < givenPairs.length; i++) {
    const pair = givenPairs[i]
    // An array of params holds [name, value] pairs: `["m1=autos"]` would otherwise be read as name "m", value "1".
    if (!Array.isArray(pair) || pair.length !== 2) {
      return invalid('params as an array must hold [name, value] pairs, e.g. [["m1", "autos"]]', requestId)
    }
    const [name, value] = pair
    if (typeof name !== "string") return invalid("parameter names must be strings", requestId)
    if (typeof value !== "string") return invalid(`parameter ${quoted(name, key)} must have a string value`, requestId)
    if (name === "") return invalid("parameter names may not be empty", requestId)
    if (ApiSuffix.isKeyName(name)) {
      return invalid("ring_pool_key is not a parameter: pass it as ringPoolKey", requestId)
    }
    if (!name.isWellFormed() || !value.isWellFormed()) {
      return invalid(`parameter ${quoted(name, key)} is not well-formed Unicode (a lone surrogate)`, requestId)
    }
    if (pairs !== givenPairs) (pairs as Array<readonly [string, string]>)[i] = [name, value]
  }
  return { ringPoolId, key, params: pairs, requestId }
}

/**
 * Checks a request against the documented rules and normalises it: id as a string, key redacted, parameters as
 * pairs. A request that breaks a rule gives `InvalidRequest`, before any I/O.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (
  request: AllocationRequest,
  defaultKey?: Redacted.Redacted<string>
): ValidRequest | RingPoolError.RingPoolError => {
  const checked = check(request, defaultKey)
  if (checked instanceof RingPoolError.RingPoolError) return checked
  return {
    ringPoolId: checked.ringPoolId,
    ringPoolKey: Redacted.make(checked.key),
    params: checked.params,
    requestId: checked.requestId
  }
}
