/**
 * One bulk call answered: the body read into entries, each row answered, and the faults drawn for the call applied.
 *
 * Undocumented points decided here:
 * - Whole-call errors get the vendor's `{"errors":{"class","invalid_data"}}` body: 400 `InvalidJson` (not JSON),
 *   400 `InvalidRequest` (no `requests`/`request` array), 400 `EmptyRequest` (an empty one), and 413
 *   `RequestTooLarge` for a body past `maxRequestBytes` (the fake does not read it, draws no fault for it, allocates
 *   nothing).
 * - `processing-time` is measured on the wall clock with three decimals, and includes an injected delay.
 * - An `InternalServiceError` handle counts up from 1000000001.
 */
import type { BulkProtocol } from "@ringpool/core"
import type { AllocationLog } from "../AllocationLog.ts"
import type { CallLog } from "../CallLog.ts"
import type { FakeAnswer } from "../FakeRingPool.ts"
import type { Fault, FaultName, FaultPlan } from "../FaultPlan.ts"
import { Arrival } from "./arrival.ts"
import { entriesOf, errorBody } from "./bulkBody.ts"
import { answerRow, type RowContext } from "./rowCheck.ts"

const decoder = new TextDecoder()
const jsonHeaders = { "content-type": "application/json; charset=utf-8" }
const textHeaders = { "content-type": "text/plain; charset=utf-8" }
const htmlHeaders = { "content-type": "text/html; charset=utf-8" }
const maintenancePage =
  "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We'll be right back</h1></body></html>"
const firstErrorHandle = 1_000_000_001
const noFaults: ReadonlyArray<FaultName> = []

/** Stands for a body that passed `maxRequestBytes`: the transports stop reading there and hand this instead. */
export const bodyTooLarge: unique symbol = Symbol.for("@ringpool/testkit/bodyTooLarge")

export class BulkCalls {
  private nextErrorHandle = firstErrorHandle

  constructor(
    private readonly plan: FaultPlan,
    private readonly rows: RowContext,
    private readonly calls: CallLog,
    private readonly allocations: AllocationLog,
    private readonly maxRequestBytes: number
  ) {}

  answer(apiVersion: string, target: string, body: string | Uint8Array | typeof bodyTooLarge, now: number): FakeAnswer {
    const started = performance.now()
    const pools = this.rows.pools
    if (body === bodyTooLarge) {
      const arrival = new Arrival("bulk", now, "POST", target, apiVersion, [], pools.pools)
      const error = errorBody(
        "RequestTooLarge",
        `the body is larger than ${this.maxRequestBytes} bytes, the most this fake reads (option maxRequestBytes): ` +
          "send fewer rows per call"
      )
      this.record(arrival, 413, error.errors)
      return respond(413, jsonHeaders, JSON.stringify(error), 0, started)
    }

    const faults = this.plan.draw()
    let delayMs = 0
    let drop = false
    let status: Extract<Fault, { fault: "status" }> | undefined
    for (const fault of faults) {
      if (fault.fault === "delay") delayMs += fault.ms
      else if (fault.fault === "drop") drop = true
      else if (fault.fault === "status") status ??= fault
    }
    const arrival = new Arrival(
      "bulk",
      now,
      "POST",
      target,
      apiVersion,
      faults.length === 0 ? noFaults : faults.map((f) => f.fault),
      pools.pools
    )

    if (status !== undefined && !drop) {
      if (status.status === 500 && status.body === undefined) {
        const error = errorBody("InternalServiceError", `refer to error handle ${this.nextErrorHandle++}`)
        this.record(arrival, 500, error.errors)
        return respond(500, jsonHeaders, JSON.stringify(error), delayMs, started)
      }
      this.record(arrival, status.status)
      const plain = status.body ?? `HTTP ${status.status} (a fault injected by @ringpool/testkit)`
      return respond(status.status, textHeaders, plain, delayMs, started)
    }

    const entries = entriesOf(typeof body === "string" ? body : decoder.decode(body))
    if ("errors" in entries) {
      this.record(arrival, drop ? undefined : 400, entries.errors)
      return drop ? { _tag: "Drop", delayMs } : respond(400, jsonHeaders, JSON.stringify(entries), delayMs, started)
    }
    arrival.sent = body
    arrival.rows = new Int32Array(entries.length << 1)
    const at = pools.time(now)
    arrival.allocatedAt = at
    let rows = new Array<string>(entries.length)
    for (let i = 0; i < entries.length; i++) rows[i] = answerRow(entries[i], at, this.rows, arrival, i)
    if (arrival.allocated > 0) this.allocations.push(arrival)
    if (drop) {
      this.record(arrival, undefined)
      return { _tag: "Drop", delayMs }
    }
    let malformed = false
    let truncate = false
    for (const fault of faults) {
      if (fault.fault === "missingRow") rows.splice(Math.floor(this.plan.random() * rows.length), 1)
      else if (fault.fault === "reorder") rows = shuffled(rows, this.plan.random)
      else if (fault.fault === "malformed") malformed = true
      else if (fault.fault === "truncate") truncate = true
    }
    this.record(arrival, 200)
    if (malformed) return respond(200, htmlHeaders, maintenancePage, delayMs, started)
    const answer = `{"responses":[${rows.join(",")}]}`
    return respond(200, jsonHeaders, truncate ? answer.slice(0, answer.length >> 1) : answer, delayMs, started)
  }

  private record(arrival: Arrival, status: number | undefined, error?: BulkProtocol.ErrorBody["errors"]): void {
    arrival.status = status
    arrival.error = error
    this.calls.push(arrival)
  }

  reset(): void {
    this.nextErrorHandle = firstErrorHandle
  }
}

const respond = (
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
  delayMs: number,
  started: number
): FakeAnswer => ({
  _tag: "Respond",
  status,
  headers: { ...headers, "processing-time": (performance.now() - started + delayMs).toFixed(3) },
  body,
  delayMs
})

/** Another order of the rows (a shuffle that happens to keep the order is turned by one). */
const shuffled = <A>(rows: Array<A>, random: () => number): Array<A> => {
  const order = rows.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = order[i]!
    order[i] = order[j]!
    order[j] = swap
  }
  if (order.every((position, i) => position === i)) order.push(order.shift()!)
  return order.map((position) => rows[position]!)
}
