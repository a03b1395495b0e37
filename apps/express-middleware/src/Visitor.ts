/**
 * The visitor cookie: a random id that names a visitor in the store, and nothing else. The number and the
 * parameters stay on the server, so the cookie reveals nothing, and its 128 random bits cannot be guessed.
 *
 * @since 0.1.0
 */
import { createHash, randomBytes } from "node:crypto"
import { parseCookie } from "cookie"
import type { Request, Response } from "express"
import type { Params } from "./Options.ts"

// 128 random bits in base64url: what `newVisitorId` makes, and the only shape a cookie is trusted with.
const visitorIdShape = /^[A-Za-z0-9_-]{22}$/

/**
 * The visitor id from the request's cookie, or `undefined` when there is none or it is not one of ours.
 *
 * @since 0.1.0
 * @category cookies
 */
export const readVisitorId = (req: Request, cookieName: string): string | undefined => {
  const header = req.headers.cookie
  if (header === undefined) return undefined
  const id = parseCookie(header)[cookieName]
  return id !== undefined && visitorIdShape.test(id) ? id : undefined
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
export const setVisitorCookie = (req: Request, res: Response, cookieName: string, id: string, ttlSeconds: number) => {
  res.cookie(cookieName, id, {
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
