/**
 * A visitor keeps their number: recalled from the store when their cookie names them and the parameters are the
 * same, kept (cookie and store entry) when a new one is allocated.
 *
 * @since 0.2.0
 */
import type { Allocation } from "@ringpool/core"
import type { Request, Response } from "express"
import type * as Budget from "./Budget.ts"
import type { Params, ResolvedSticky } from "./Options.ts"
import * as Visitor from "./Visitor.ts"
import { isVisitorNumber, type VisitorNumber, VisitorStoreError } from "./VisitorStore.ts"

/**
 * Who is visiting, for which pool and parameters: what a new number is kept under.
 *
 * @since 0.2.0
 * @category models
 */
export interface Visit {
  /** `undefined` for a visitor without a cookie of ours: an id is made when a number is kept. */
  readonly visitorId: string | undefined
  readonly poolId: string | number
  readonly paramsDigest: string
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Stickiness {
  /** The visit, and the visitor's number for it if the store still holds one. */
  readonly recall: (
    req: Request,
    budget: Budget.Budget,
    poolId: string | number,
    params: Params
  ) => Promise<{ readonly visit: Visit; readonly number: VisitorNumber | undefined }>
  /**
   * Sets the cookie and writes the store entry for a new number. The write is awaited within what is left of the
   * budget, so the visitor's next page view, on any process sharing the store, finds it; past the budget the page
   * goes on with its number and the write finishes on its own. Never rejects.
   */
  readonly keep: (
    req: Request,
    res: Response,
    budget: Budget.Budget,
    visit: Visit,
    allocation: Allocation.Allocation
  ) => Promise<void>
}

const clockLeewayMs = 60_000

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (sticky: ResolvedSticky, report: (error: Error, req: Request) => void): Stickiness => {
  const { store, cookieName, ttlSeconds, secrets } = sticky

  // A write that fails costs the visitor stickiness, never the page its number: it is reported, not thrown.
  const write = (req: Request, operation: "set" | "delete", run: () => void | Promise<void>): Promise<void> =>
    Promise.resolve()
      .then(run)
      .catch((cause: unknown) => report(new VisitorStoreError(operation, cause), req))

  const read = async (budget: Budget.Budget, key: string): Promise<VisitorNumber | undefined> => {
    try {
      return await budget.within(store.get(key))
    } catch (cause) {
      if (cause === budget.signal.reason) throw cause
      throw new VisitorStoreError("get", cause)
    }
  }

  const recall: Stickiness["recall"] = async (req, budget, poolId, params) => {
    const visit = {
      visitorId: Visitor.readVisitorId(req, cookieName, secrets),
      poolId,
      paramsDigest: Visitor.paramsDigest(params)
    }
    if (visit.visitorId === undefined) return { visit, number: undefined }
    const key = Visitor.storeKey(visit.visitorId, poolId)
    const kept = await read(budget, key)
    budget.signal.throwIfAborted()
    // A store is written by others too (a shared Redis): what is not a number, or claims to live longer than a
    // number lives, was not written by us, and the visitor gets a new number, whose write replaces it.
    // (A minute of leeway: other processes' clocks may run a little ahead of this one's.)
    if (!isVisitorNumber(kept) || kept.expiresAt > Date.now() + ttlSeconds * 1000 + clockLeewayMs) {
      report(
        new VisitorStoreError("get", "the entry is not a visitor number this middleware wrote: a new one replaces it"),
        req
      )
      return { visit, number: undefined }
    }
    // Checked here too, so a store that keeps entries too long never serves a number past its lifetime.
    if (kept.expiresAt <= Date.now()) {
      void write(req, "delete", () => store.delete(key))
      return { visit, number: undefined }
    }
    return { visit, number: kept.paramsDigest === visit.paramsDigest ? kept : undefined }
  }

  const keep: Stickiness["keep"] = (req, res, budget, visit, allocation) => {
    const id = visit.visitorId ?? Visitor.newVisitorId()
    const number: VisitorNumber = {
      paramsDigest: visit.paramsDigest,
      promoNumber: allocation.promoNumber,
      promoNumberFormatted: allocation.promoNumberFormatted,
      ...(allocation.trackingUrl === undefined ? {} : { trackingUrl: allocation.trackingUrl }),
      expiresAt: Date.now() + ttlSeconds * 1000
    }
    // The cookie lives exactly as long as the number it leads to.
    Visitor.setVisitorCookie(req, res, cookieName, id, ttlSeconds, secrets)
    const key = Visitor.storeKey(id, visit.poolId)
    return budget.spend(write(req, "set", () => store.set(key, number, ttlSeconds)))
  }

  return { recall, keep }
}
