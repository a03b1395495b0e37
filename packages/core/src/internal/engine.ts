/**
 * The machinery both faces share: validation, the wire row, the coalescer and the bulk call, run on one
 * Effect context. The Effect service and the Promise face are thin shells around it.
 */
import { Cause, Context, Effect, Exit } from "effect"
import { HttpClient } from "effect/http"
import type { Allocation } from "../Allocation.ts"
import * as AllocationRequest from "../AllocationRequest.ts"
import * as ApiSuffix from "../ApiSuffix.ts"
import type { ResolvedOptions } from "../ClientOptions.ts"
import * as RingPoolError from "../RingPoolError.ts"
import * as BulkCall from "./bulkCall.ts"
import { Coalescer, type Entry, generateWireId } from "./coalescer.ts"
import { type ClientStats, emptyStats } from "./metrics.ts"

/**
 * One row's outcome, never thrown: an allocation, or the error of that row alone.
 */
export type Outcome =
  | { readonly ok: true; readonly allocation: Allocation }
  | { readonly ok: false; readonly error: RingPoolError.RingPoolError }

export const toOutcome = (result: BulkCall.RowResult): Outcome =>
  "promoNumber" in result ? { ok: true, allocation: result } : { ok: false, error: result }

export interface Engine {
  readonly options: ResolvedOptions
  /** Queues a row; `settle` gets its result (at once for an invalid row). The entry can be cancelled. */
  readonly submit: (
    request: AllocationRequest.AllocationRequest,
    settle: (result: BulkCall.RowResult) => void
  ) => Entry | undefined
  /** Queues rows; `done` gets their results in input order once all are in. Returns a cancel function. */
  readonly submitAll: (
    requests: Iterable<AllocationRequest.AllocationRequest>,
    done: (results: Array<BulkCall.RowResult>) => void
  ) => () => void
  readonly stats: () => ClientStats
  /** Resolves once every row submitted so far has its outcome. */
  readonly drain: () => Promise<void>
}

const unexpected = (cause: Cause.Cause<unknown>) =>
  new RingPoolError.Transport({ description: `unexpected failure: ${Cause.pretty(cause).split("\n")[0]}`, sent: true })

/**
 * Builds the engine on the `HttpClient` of the given context. The context may still be on its way (a transport
 * whose layer builds asynchronously): rows are queued at once and the first bulk call waits for it.
 */
export const make = (
  context: Context.Context<HttpClient.HttpClient> | Promise<Context.Context<HttpClient.HttpClient>>,
  options: ResolvedOptions
): Engine => {
  const stats = emptyStats()
  const settings = { url: options.bulkUrl, timeoutMs: options.timeoutMs, retry: options.retry }
  const runnerOf = (ready: Context.Context<HttpClient.HttpClient>) => {
    const bulkCall = BulkCall.make(Context.get(ready, HttpClient.HttpClient), settings, stats)
    const run = Effect.runCallbackWith(ready)
    return (rows: ReadonlyArray<BulkCall.WireRow>, done: (results: ReadonlyArray<BulkCall.RowResult>) => void) =>
      run(bulkCall(rows), {
        onExit: (exit) =>
          done(
            Exit.isSuccess(exit)
              ? exit.value
              : rows.map((row) => RingPoolError.make(unexpected(exit.cause), row.requestId))
          )
      })
  }
  let runner = context instanceof Promise ? undefined : runnerOf(context)
  const runnerReady = context instanceof Promise ? context.then(runnerOf) : undefined
  // A transport that fails to start is reported to the rows that need it, not as an unhandled rejection.
  runnerReady?.catch(() => undefined)
  const coalescer = new Coalescer({
    maxBatchSize: options.maxBatchSize,
    maxInFlight: options.maxInFlight,
    send: (rows, done) => {
      if (runner !== undefined) {
        runner(rows, done)
        return
      }
      runnerReady!.then(
        (ready) => {
          runner = ready
          ready(rows, done)
        },
        (cause: unknown) =>
          done(
            rows.map((row) =>
              RingPoolError.make(
                new RingPoolError.Transport({
                  description: `the transport could not start: ${String(cause)}`,
                  sent: false
                }),
                row.requestId
              )
            )
          )
      )
    }
  })

  const prepare = (request: AllocationRequest.AllocationRequest): BulkCall.WireRow | RingPoolError.RingPoolError => {
    const checked = AllocationRequest.check(request, options.defaultKey)
    if (checked instanceof RingPoolError.RingPoolError) return checked
    return {
      suffix: ApiSuffix.make({ ringPoolId: checked.ringPoolId, ringPoolKey: checked.key, params: checked.params }),
      wireId: checked.requestId ?? generateWireId(),
      requestId: checked.requestId,
      key: checked.key
    }
  }

  const submit: Engine["submit"] = (request, settle) => {
    const row = prepare(request)
    if (row instanceof RingPoolError.RingPoolError) {
      settle(row)
      return undefined
    }
    const entry: Entry = { row, settle, cancelled: false }
    coalescer.push(entry)
    return entry
  }

  const submitAll: Engine["submitAll"] = (requests, done) => {
    const results: Array<BulkCall.RowResult> = []
    const entries: Array<Entry> = []
    let remaining = 1 // held until every row is queued, so that `done` cannot fire early
    const finish = () => {
      if (--remaining === 0) done(results)
    }
    let index = 0
    for (const request of requests) {
      const i = index++
      remaining++
      const entry = submit(request, (result) => {
        results[i] = result
        finish()
      })
      if (entry !== undefined) entries.push(entry)
    }
    finish()
    return () => {
      for (const entry of entries) entry.cancelled = true
    }
  }

  return { options, submit, submitAll, stats: () => structuredClone(stats), drain: () => coalescer.whenIdle() }
}
