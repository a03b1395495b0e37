/**
 * The machinery both faces share: validation, the wire row, the coalescer and the bulk call on a transport. The
 * Effect service and the Promise face are thin shells around it.
 */
import { type Context, Redacted } from "effect"
import * as AllocationRequest from "../AllocationRequest.ts"
import * as ApiSuffix from "../ApiSuffix.ts"
import type { ResolvedOptions } from "../ClientOptions.ts"
import * as ClientStats from "../ClientStats.ts"
import type { RowResult } from "../Outcome.ts"
import * as RingPoolError from "../RingPoolError.ts"
import * as BulkCall from "./bulkCall.ts"
import { Coalescer, type Entry, generateWireId } from "./coalescer.ts"
import { KnownKeys } from "./knownKeys.ts"
import * as Telemetry from "./telemetry.ts"
import type { BulkTransport } from "./transport.ts"

export interface Engine {
  readonly options: ResolvedOptions
  /** Queues a row; `settle` gets its result (at once for an invalid row). The entry can be cancelled. */
  readonly submit: (
    request: AllocationRequest.AllocationRequest,
    settle: (result: RowResult) => void
  ) => Entry | undefined
  /**
   * Queues rows; `done` gets their results in input order once all are in. Returns a cancel function. Never throws:
   * an input that cannot be iterated gives one `InvalidRequest` for the row it failed at, after the rows before it.
   */
  readonly submitAll: (
    requests: Iterable<AllocationRequest.AllocationRequest>,
    done: (results: Array<RowResult>) => void
  ) => () => void
  readonly stats: () => ClientStats.ClientStats
  /** Resolves once every row submitted so far has its outcome. */
  readonly drain: () => Promise<void>
  /** Waits for the rows submitted so far, then releases the transport's connections. */
  readonly close: () => Promise<void>
}

const invalid = (description: string) => RingPoolError.make(new RingPoolError.InvalidRequest({ description }))

/**
 * Builds the engine on a transport. The transport may still be on its way (an `HttpClient` layer that builds
 * asynchronously): rows are queued at once and the first bulk call waits for it. `context` is where metrics and
 * spans go (the Effect face's context, or an empty one).
 */
export const make = (
  transport: BulkTransport | Promise<BulkTransport>,
  options: ResolvedOptions,
  context: Context.Context<never>
): Engine => {
  const stats = ClientStats.empty()
  const telemetry = Telemetry.make(context, stats)
  // Every key this client is given: an answer is masked of them all, not only of its own rows' keys.
  const known = new KnownKeys()
  if (options.defaultKey !== undefined) known.add(Redacted.value(options.defaultKey))
  const callOn = (ready: BulkTransport) => BulkCall.make(ready, options.retry, telemetry, known)
  let bulkCall = transport instanceof Promise ? undefined : callOn(transport)
  const whenReady = transport instanceof Promise ? transport.then(callOn) : undefined
  // A transport that fails to start is reported to the rows that need it, never as an unhandled rejection.
  whenReady?.catch(() => undefined)

  const notStarted = (cause: unknown) =>
    new RingPoolError.Transport({
      description: `the transport could not start: ${cause instanceof Error ? cause.message : String(cause)}`,
      sent: false
    })

  const coalescer = new Coalescer({
    maxBatchSize: options.maxBatchSize,
    maxInFlight: options.maxInFlight,
    send: (rows, done) => {
      if (bulkCall !== undefined) return bulkCall(rows, done)
      whenReady!.then(
        (ready) => {
          bulkCall = ready
          ready(rows, done)
        },
        (cause: unknown) => done(rows.map((row) => RingPoolError.make(notStarted(cause), row.requestId)))
      )
    }
  })

  const prepare = (request: AllocationRequest.AllocationRequest): BulkCall.WireRow | RingPoolError.RingPoolError => {
    const checked = AllocationRequest.check(request, options.defaultKey)
    if (checked instanceof RingPoolError.RingPoolError) return checked
    known.add(checked.key)
    return {
      api_suffix: ApiSuffix.make({ ringPoolId: checked.ringPoolId, ringPoolKey: checked.key, params: checked.params }),
      request_id: checked.requestId ?? generateWireId(),
      requestId: checked.requestId,
      key: checked.key
    }
  }

  /** Queues one row; `settle` gets its result with `index` (at once for an invalid row). */
  const queue = (
    request: AllocationRequest.AllocationRequest,
    settle: (result: RowResult, index: number) => void,
    index: number
  ): Entry | undefined => {
    const row = prepare(request)
    if (row instanceof RingPoolError.RingPoolError) {
      settle(row, index)
      return undefined
    }
    const entry: Entry = { row, settle, index, cancelled: false }
    coalescer.push(entry)
    return entry
  }

  const submit: Engine["submit"] = (request, settle) => queue(request, settle, 0)

  const submitAll: Engine["submitAll"] = (requests, done) => {
    const results: Array<RowResult> = []
    const entries: Array<Entry> = []
    let remaining = 1 // held until every row is queued, so that `done` cannot fire early
    const finish = () => {
      if (--remaining === 0) done(results)
    }
    const settle = (result: RowResult, i: number) => {
      results[i] = result
      finish()
    }
    let index = 0
    try {
      if (requests === null || typeof requests !== "object" || !(Symbol.iterator in requests)) {
        results[index++] = invalid("requests must be an iterable (an array) of requests")
      } else {
        for (const request of requests) {
          remaining++
          const entry = queue(request, settle, index++)
          if (entry !== undefined) entries.push(entry)
        }
      }
    } catch {
      results[index++] = invalid("reading the requests threw an error: the rows before this one were submitted")
    }
    finish()
    return () => {
      for (const entry of entries) entry.cancelled = true
    }
  }

  const drain = () => coalescer.whenIdle()
  const close = async () => {
    await drain()
    const ready = transport instanceof Promise ? await transport.catch(() => undefined) : transport
    await ready?.close()
  }

  return { options, submit, submitAll, stats: () => structuredClone(stats), drain, close }
}
