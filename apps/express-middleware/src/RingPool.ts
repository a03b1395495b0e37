/**
 * `ringPool(options)`: the middleware that puts a tracking number on `res.locals.ringPool` for every page view,
 * within a time budget, and never breaks the page.
 *
 * @since 0.1.0
 */
import { type Allocation, RingPoolError } from "@ringpool/core"
import type { NextFunction, Request, RequestHandler, Response } from "express"
import type { RingPoolLocals, TrackedNumber, UntrackedNumber } from "./Locals.ts"
import * as Options from "./Options.ts"
import * as Report from "./Report.ts"
import * as Visitor from "./Visitor.ts"
import { type VisitorNumber, type VisitorStore, VisitorStoreError } from "./VisitorStore.ts"

/**
 * The middleware, with its counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface RingPoolMiddleware extends RequestHandler {
  /** Page views by source and failures by kind, since the middleware was created. */
  readonly stats: () => Report.RingPoolStats
}

const toError = (thrown: unknown): Error => (thrown instanceof Error ? thrown : new Error(String(thrown)))

const invalidRequest = (description: string) => RingPoolError.make(new RingPoolError.InvalidRequest({ description }))

/** Rejects when the signal aborts, with its reason; stays pending otherwise. */
const abortion = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }))

const tracked = (
  source: TrackedNumber["source"],
  number: Pick<Allocation.Allocation, "promoNumber" | "promoNumberFormatted" | "trackingUrl">,
  overflow: boolean
): TrackedNumber =>
  number.trackingUrl === undefined
    ? { source, promoNumber: number.promoNumber, promoNumberFormatted: number.promoNumberFormatted, overflow }
    : {
        source,
        promoNumber: number.promoNumber,
        promoNumberFormatted: number.promoNumberFormatted,
        trackingUrl: number.trackingUrl,
        overflow
      }

/**
 * Creates the middleware. Options are checked here: a wrong one throws a `TypeError` that says what to write.
 *
 * ```ts
 * app.use(ringPool({
 *   pool: { id: "123", key: process.env.RINGPOOL_KEY },
 *   params: (req) => ({ m1: String(req.query.utm_source ?? "") }),
 *   fallback: { promoNumber: "8005550100" },
 *   timeoutMs: 250
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const ringPool = (options: Options.RingPoolOptions): RingPoolMiddleware => {
  const config = Options.resolve(options)
  const { client, sticky, timeoutMs } = config
  const tally = new Report.Tally()

  // Counted, then told to the hook; a hook that throws must not break the page it reports on.
  const report = (error: Error, req: Request) => {
    tally.error(error)
    try {
      config.onError(error, req)
    } catch {}
  }

  const untracked = (source: UntrackedNumber["source"], req: Request, error?: Error): UntrackedNumber => {
    let fallback: ReturnType<Options.Config["fallback"]>
    try {
      fallback = config.fallback(req)
    } catch (thrown) {
      report(toError(thrown), req)
    }
    const base =
      error === undefined ? { source, overflow: false as const } : { source, overflow: false as const, error }
    return fallback === undefined ? base : { ...fallback, ...base }
  }

  // Writes are not awaited: a store that fails or lags costs the visitor stickiness, never the page its number.
  const storeWrite = (req: Request, operation: "set" | "delete", write: () => void | Promise<void>) => {
    Promise.resolve()
      .then(write)
      .catch((cause: unknown) => report(new VisitorStoreError(operation, cause), req))
  }

  const storeRead = async (store: VisitorStore, key: string): Promise<VisitorNumber | undefined> => {
    try {
      return await store.get(key)
    } catch (cause) {
      throw new VisitorStoreError("get", cause)
    }
  }

  const find = async (req: Request, res: Response, signal: AbortSignal): Promise<TrackedNumber> => {
    const pool = await config.pool(req)
    const poolProblem = Options.poolProblem(pool, false)
    if (poolProblem !== undefined) throw invalidRequest(`the pool function's result: ${poolProblem}`)
    const params = await config.params(req)
    const paramsProblem = Options.paramsProblem(params)
    if (paramsProblem !== undefined) throw invalidRequest(`the params function's result: ${paramsProblem}`)
    const request = { ringPoolId: pool.id, ringPoolKey: pool.key, params }

    if (sticky === undefined) {
      const allocation = await client.allocate(request, { signal })
      return tracked("allocated", allocation, allocation.overflow)
    }

    const visitorId = Visitor.readVisitorId(req, sticky.cookieName, sticky.secrets)
    const digest = Visitor.paramsDigest(params)
    if (visitorId !== undefined) {
      const key = Visitor.storeKey(visitorId, pool.id)
      const kept = await storeRead(sticky.store, key)
      signal.throwIfAborted()
      // Checked here too, so a store that keeps entries too long never serves a number past its lifetime.
      if (kept !== undefined && kept.expiresAt <= Date.now()) storeWrite(req, "delete", () => sticky.store.delete(key))
      else if (kept !== undefined && kept.paramsDigest === digest) return tracked("sticky", kept, false)
    }

    const allocation = await client.allocate(request, { signal })
    signal.throwIfAborted()
    // The overflow number is shared by everyone beyond the pool's capacity and cannot be attributed: it is not
    // kept, so the visitor's next page view tries again for a number of their own.
    if (!allocation.overflow && !res.headersSent) {
      const id = visitorId ?? Visitor.newVisitorId()
      const key = Visitor.storeKey(id, pool.id)
      const number: VisitorNumber = {
        paramsDigest: digest,
        promoNumber: allocation.promoNumber,
        promoNumberFormatted: allocation.promoNumberFormatted,
        ...(allocation.trackingUrl === undefined ? {} : { trackingUrl: allocation.trackingUrl }),
        expiresAt: Date.now() + sticky.ttlSeconds * 1000
      }
      // Cookie now, store write in the background: the cookie lives exactly as long as the number it leads to.
      Visitor.setVisitorCookie(req, res, sticky.cookieName, id, sticky.ttlSeconds, sticky.secrets)
      storeWrite(req, "set", () => sticky.store.set(key, number, sticky.ttlSeconds))
    }
    return tracked("allocated", allocation, allocation.overflow)
  }

  // One budget for the whole look-up (the pool and params functions, the store, the allocation): when it runs out
  // the signal aborts the allocation (a row not yet sent is never sent) and the page moves on.
  const withinBudget = async (req: Request, res: Response): Promise<TrackedNumber> => {
    const controller = new AbortController()
    const timer = setTimeout(
      () => controller.abort(RingPoolError.make(new RingPoolError.Timeout({ timeoutMs }))),
      timeoutMs
    )
    try {
      return await Promise.race([find(req, res, controller.signal), abortion(controller.signal)])
    } finally {
      clearTimeout(timer)
    }
  }

  const serve = (res: Response, next: NextFunction, locals: RingPoolLocals) => {
    tally.view(locals.source)
    res.locals.ringPool = locals
    next()
  }

  const fail = (req: Request, res: Response, next: NextFunction, error: Error) => {
    if (!config.failOpen) {
      tally.error(error)
      next(error)
      return
    }
    report(error, req)
    serve(res, next, untracked("fallback", req, error))
  }

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    let skip: boolean
    try {
      skip = config.skip(req)
    } catch (thrown) {
      fail(req, res, next, toError(thrown))
      return
    }
    if (skip) {
      serve(res, next, untracked("skipped", req))
      return
    }
    withinBudget(req, res).then(
      (locals) => {
        // A page with a visitor's own number must not be stored by a shared cache and shown to other visitors.
        if (!res.headersSent && res.getHeader("Cache-Control") === undefined) res.setHeader("Cache-Control", "private")
        serve(res, next, locals)
      },
      (thrown: unknown) => fail(req, res, next, toError(thrown))
    )
  }

  return Object.assign(middleware, { stats: () => tally.snapshot() })
}
