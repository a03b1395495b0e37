/**
 * `ringPool(options)`: the middleware that puts a tracking number on `res.locals.ringPool` for every page view,
 * within a time budget, and never breaks the page.
 *
 * @since 0.1.0
 */
import { type Allocation, type AllocationRequest, RingPoolError } from "@ringpool/core"
import type { NextFunction, Request, RequestHandler, Response } from "express"
import * as Budget from "./Budget.ts"
import type { RingPoolLocals, TrackedNumber, UntrackedNumber } from "./Locals.ts"
import * as Options from "./Options.ts"
import * as Report from "./Report.ts"
import * as Stickiness from "./Stickiness.ts"

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
  const { client, sticky } = config
  const tally = new Report.Tally()
  const clock = Budget.clock(config.timeoutMs)

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

  const stickiness = sticky === undefined ? undefined : Stickiness.make(sticky, report)

  const allocationRequest = async (req: Request, budget: Budget.Budget) => {
    const pool = await budget.within(config.pool(req))
    const poolProblem = Options.poolProblem(pool, false)
    if (poolProblem !== undefined) throw invalidRequest(`the pool function's result: ${poolProblem}`)
    const params = await budget.within(config.params(req))
    const paramsProblem = Options.paramsProblem(params)
    if (paramsProblem !== undefined) throw invalidRequest(`the params function's result: ${paramsProblem}`)
    return { ringPoolId: pool.id, ringPoolKey: pool.key, params }
  }

  // The signal cancels the row; the race holds the budget even for an allocator of the user's that ignores it.
  const allocate = (request: AllocationRequest.AllocationRequest, budget: Budget.Budget) =>
    budget.within(client.allocate(request, { signal: budget.signal }))

  const find = async (req: Request, res: Response, budget: Budget.Budget): Promise<TrackedNumber> => {
    const request = await allocationRequest(req, budget)
    if (stickiness === undefined) {
      const allocation = await allocate(request, budget)
      return tracked("allocated", allocation, allocation.overflow)
    }
    const { visit, number } = await stickiness.recall(req, budget, request.ringPoolId, request.params)
    if (number !== undefined) return tracked("sticky", number, false)
    const allocation = await allocate(request, budget)
    // The overflow number is shared by everyone beyond the pool's capacity and cannot be attributed: it is not
    // kept, so the visitor's next page view tries again for a number of their own.
    if (!allocation.overflow && !res.headersSent) await stickiness.keep(req, res, budget, visit, allocation)
    return tracked("allocated", allocation, allocation.overflow)
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
    // One budget for the whole look-up: when it runs out the allocation is cancelled and the page moves on.
    find(req, res, clock.start()).then(
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
