/**
 * The visitor cookie: a random id that names a visitor in the store, and nothing else. The number and the
 * parameters stay on the server, so the cookie reveals nothing, and its 128 random bits cannot be guessed.
 * With a secret the id travels signed (`<id>.<HMAC>`), and only ids this site issued are adopted.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { parseCookie } from "cookie"
import type { Request, Response } from "express"
import type { Params } from "./Options.ts"

// 128 random bits in base64url: what `newVisitorId` makes, and the only shape a cookie is trusted with.
const visitorIdShape = /^[A-Za-z0-9_-]{22}$/
// A signed id: the id, a dot, and 128 bits of its HMAC-SHA256 in base64url.
const signedIdShape = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/

const signatureOf = (id: string, secret: string): Buffer =>
  createHmac("sha256", secret).update(id).digest().subarray(0, 16)

/**
 * The cookie's value for an id: the id itself, or, with secrets, the id signed with the first of them.
 *
 * @since 0.2.0
 * @category cookies
 */
export const cookieValue = (id: string, secrets: ReadonlyArray<string>): string =>
  secrets.length === 0 ? id : `${id}.${signatureOf(id, secrets[0]!).toString("base64url")}`

/**
 * The id a cookie value names, or `undefined` when it is not one of ours. Without secrets any well-formed id is
 * adopted; with secrets only an id signed by one of them (the first signs, the others are still accepted, so a
 * secret can be rotated without every visitor losing their number at once).
 *
 * @since 0.2.0
 * @category cookies
 */
export const idOfCookieValue = (value: string, secrets: ReadonlyArray<string>): string | undefined => {
  if (secrets.length === 0) return visitorIdShape.test(value) ? value : undefined
  const signed = signedIdShape.exec(value)
  if (signed === null) return undefined
  const [, id, signature] = signed as unknown as [string, string, string]
  const given = Buffer.from(signature, "base64url")
  // Constant time, so the signature cannot be found byte by byte from response times.
  return secrets.some((secret) => timingSafeEqual(given, signatureOf(id, secret))) ? id : undefined
}

/**
 * The visitor id from the request's cookie, or `undefined` when there is none or it is not one of ours.
 *
 * @since 0.1.0
 * @category cookies
 */
export const readVisitorId = (
  req: Request,
  cookieName: string,
  secrets: ReadonlyArray<string> = []
): string | undefined => {
  const header = req.headers.cookie
  if (header === undefined) return undefined
  const value = parseCookie(header)[cookieName]
  return value === undefined ? undefined : idOfCookieValue(value, secrets)
}

/**
 * @since 0.1.0
 * @category cookies
 */
export const newVisitorId = (): string => randomBytes(16).toString("base64url")

/**
 * Sets the cookie for as long as the visitor's number lasts, so it never expires before the number does.
 * HttpOnly (page scripts have no use for it), SameSite=Lax (sent on the top-level navigation that lands a visitor
 * from an ad), Secure when the request came over HTTPS (`req.secure`, which honours Express's `trust proxy`).
 *
 * @since 0.1.0
 * @category cookies
 */
export const setVisitorCookie = (
  req: Request,
  res: Response,
  cookieName: string,
  id: string,
  ttlSeconds: number,
  secrets: ReadonlyArray<string> = []
) => {
  res.cookie(cookieName, cookieValue(id, secrets), {
    httpOnly: true,
    sameSite: "lax",
    secure: req.secure,
    path: "/",
    maxAge: Math.ceil(ttlSeconds) * 1000
  })
}

/**
 * A digest of the parameters, independent of their order, so the store holds no visitor data and a changed
 * parameter is recognised.
 *
 * @since 0.1.0
 * @category store
 */
export const paramsDigest = (params: Params): string => {
  const pairs = Array.isArray(params) ? params : Object.entries(params)
  const canonical = pairs.map((pair) => JSON.stringify(pair)).sort()
  return createHash("sha256").update(canonical.join("\n")).digest("base64url")
}

/**
 * The store key of a visitor's number from one pool. Pool ids cannot contain `/` (the service's URL forbids it),
 * so the key is unambiguous.
 *
 * @since 0.1.0
 * @category store
 */
export const storeKey = (visitorId: string, poolId: string | number): string => `${visitorId}/${poolId}`
