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
import { BulkProtocol } from "@ringpool/core"
import { Exit, Schema } from "effect"
import type { AllocationRecord } from "../AllocationLog.ts"
import type { Arrival, CallLog, RowError } from "../CallLog.ts"
import type { FakeAnswer } from "../FakeRingPool.ts"
import type { Fault, FaultPlan } from "../FaultPlan.ts"
import { answerRow, type RowContext, type WireRow } from "./rowCheck.ts"

const decodeBody = Schema.decodeUnknownExit(BulkProtocol.LenientRequestBody)
const jsonHeaders = { "content-type": "application/json; charset=utf-8" }
const textHeaders = { "content-type": "text/plain; charset=utf-8" }
const htmlHeaders = { "content-type": "text/html; charset=utf-8" }
const maintenancePage =
  "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We'll be right back</h1></body></html>"
const firstErrorHandle = 1_000_000_001
const noEntries: ReadonlyArray<unknown> = []

/** The body of a whole-call error. */
export const errorBody = (errorClass: string, invalidData: string): BulkProtocol.ErrorBody => ({
  errors: { class: errorClass, invalid_data: invalidData }
})

/** Stands for a body that passed `maxRequestBytes`: the transports stop reading there and hand this instead. */
export const bodyTooLarge: unique symbol = Symbol.for("@ringpool/testkit/bodyTooLarge")

export class BulkCalls {
  private nextErrorHandle = firstErrorHandle

  constructor(
    private readonly plan: FaultPlan,
    private readonly rows: RowContext,
    private readonly log: CallLog,
    private readonly maxRequestBytes: number
  ) {}

  answer(apiVersion: string, target: string, body: string | typeof bodyTooLarge, now: number): FakeAnswer {
    const started = performance.now()
    const base = { kind: "bulk" as const, at: now, method: "POST", target, apiVersion }
    if (body === bodyTooLarge) {
      const error = errorBody(
        "RequestTooLarge",
        `the body is larger than ${this.maxRequestBytes} bytes, the most this fake reads (option maxRequestBytes): ` +
          "send fewer rows per call"
      )
      this.record({ ...base, faults: [], status: 413, error: error.errors })
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
    const call = { ...base, faults: faults.map((f) => f.fault) }

    if (status !== undefined && !drop) {
      if (status.status === 500 && status.body === undefined) {
        const error = errorBody("InternalServiceError", `refer to error handle ${this.nextErrorHandle++}`)
        this.record({ ...call, status: 500, error: error.errors })
        return respond(500, jsonHeaders, JSON.stringify(error), delayMs, started)
      }
      this.record({ ...call, status: status.status })
      const text = status.body ?? `HTTP ${status.status} (a fault injected by @ringpool/testkit)`
      return respond(status.status, textHeaders, text, delayMs, started)
    }

    const entries = entriesOf(body)
    if ("errors" in entries) {
      this.record({ ...call, status: drop ? undefined : 400, error: entries.errors, bodyLength: body.length })
      return drop ? { _tag: "Drop", delayMs } : respond(400, jsonHeaders, JSON.stringify(entries), delayMs, started)
    }
    const outcomes = new Array<AllocationRecord | RowError>(entries.length)
    let responses = new Array<WireRow>(entries.length)
    for (let i = 0; i < entries.length; i++) {
      const row = answerRow(entries[i], now, this.rows)
      outcomes[i] = row.outcome
      responses[i] = row.wire
    }
    const arrival = { ...call, entries, outcomes, bodyLength: body.length }
    if (drop) {
      this.record({ ...arrival, status: undefined })
      return { _tag: "Drop", delayMs }
    }
    let malformed = false
    let truncate = false
    for (const fault of faults) {
      if (fault.fault === "missingRow") responses.splice(Math.floor(this.plan.random() * responses.length), 1)
      else if (fault.fault === "reorder") responses = shuffled(responses, this.plan.random)
      else if (fault.fault === "malformed") malformed = true
      else if (fault.fault === "truncate") truncate = true
    }
    this.record({ ...arrival, status: 200 })
    if (malformed) return respond(200, htmlHeaders, maintenancePage, delayMs, started)
    const text = JSON.stringify({ responses })
    return respond(200, jsonHeaders, truncate ? text.slice(0, text.length >> 1) : text, delayMs, started)
  }

  private record(call: Omit<Arrival, "entries" | "outcomes" | "bodyLength" | "error"> & Partial<Arrival>): void {
    this.log.push({ entries: noEntries, outcomes: [], bodyLength: 0, error: undefined, ...call })
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

/** The entries of a bulk body, or the whole-call error body that refuses it. */
const entriesOf = (text: string): ReadonlyArray<unknown> | BulkProtocol.ErrorBody => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return errorBody("InvalidJson", 'the body must be JSON: {"requests":[{"api_suffix":"...","request_id":"..."}]}')
  }
  const decoded = decodeBody(json)
  if (Exit.isFailure(decoded)) {
    return errorBody("InvalidRequest", 'the body must have a "requests" array: {"requests":[{"api_suffix":"..."}]}')
  }
  const entries = "requests" in decoded.value ? decoded.value.requests : decoded.value.request
  if (entries.length === 0) return errorBody("EmptyRequest", "requests must contain at least one entry")
  return entries
}

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
