/**
 * The call log: every request the fake received, and what each of its rows was given, readable decoded.
 *
 * A call is kept as it arrived (its body as sent, and what each row got: see `internal/arrival.ts`) and decoded only
 * when read, so that serving a row costs no record of its own. Reading masks every ring pool key (see `internal/redaction.ts`):
 * a log printed in a failing test's output shows none. The log keeps the most recent calls within a count and a size
 * in bytes (`logLimit`).
 *
 * @since 0.1.0
 */
import { ApiSuffix, type BulkProtocol } from "@ringpool/core"
import { Result } from "effect"
import type { AllocationRecord } from "./AllocationLog.ts"
import type { FaultName } from "./FaultPlan.ts"
import { type Arrival, type EntriesOf, entriesReader, refusedPosition } from "./internal/arrival.ts"
import { BoundedLog } from "./internal/boundedLog.ts"
import type { Redactor } from "./internal/redaction.ts"

/**
 * Why a row got no number: the `error_class` and `message` of its error row.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowError {
  readonly errorClass: string
  readonly message: string
}

/**
 * One row of a recorded bulk call, decoded. The key never appears: the suffix is masked, and so is the
 * `InvalidKey` message (which, on the wire, quotes the key as the service does).
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRow {
  readonly requestId: string | undefined
  /** The row's `api_suffix` with the key masked; undefined when the entry had none. */
  readonly apiSuffix: string | undefined
  /** The pool id and parameters read from the suffix; undefined when it did not parse. */
  readonly ringPoolId: string | undefined
  readonly params: Readonly<Record<string, string>> | undefined
  /** The number the row was given, or undefined when it got an error row. */
  readonly allocation: AllocationRecord | undefined
  readonly error: RowError | undefined
}

/**
 * One request the fake received.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedCall {
  /** `bulk` for the bulk API, `singleApi` for the single API's URL, `unexpected` for anything else (a 404). */
  readonly kind: "bulk" | "singleApi" | "unexpected"
  /** When it arrived, in milliseconds of the fake's clock. */
  readonly at: number
  readonly method: string
  /** The request's path and query, with any `ring_pool_key` masked. */
  readonly path: string
  /** The date segment of the URL, e.g. `2013-07-01`. */
  readonly apiVersion: string | undefined
  /** The faults that hit this call, in the order they were injected. */
  readonly faults: ReadonlyArray<FaultName>
  /** The HTTP status answered; undefined when the connection was dropped. */
  readonly status: number | undefined
  /** The rows sent, decoded, with what each was given (also for a call whose answer a fault spoiled). */
  readonly rows: ReadonlyArray<RecordedRow>
  /** The whole-call error body sent, if any. */
  readonly error: BulkProtocol.ErrorBody["errors"] | undefined
}

// What a call keeps alive besides its body: the call and two integers a row (an estimate).
const callOverhead = 256
const perRow = 8

const sizeOf = (call: Arrival): number => callOverhead + call.target.length + call.sentSize + perRow * call.rowCount

/** The parts of an entry that the row checks read, without deciding whether the entry is a valid row. */
const fieldsOf = (entry: unknown): { requestId: string | undefined; apiSuffix: string | undefined } => {
  if (typeof entry !== "object" || entry === null) return { requestId: undefined, apiSuffix: undefined }
  const { request_id, api_suffix } = entry as { request_id?: unknown; api_suffix?: unknown }
  const requestId = typeof request_id === "string" ? request_id : undefined
  // A row with a request_id that is not a string is refused whole, as the row checks refuse it.
  const valid = typeof api_suffix === "string" && (request_id === undefined || requestId !== undefined)
  return { requestId, apiSuffix: valid ? (api_suffix as string) : undefined }
}

/**
 * @since 0.1.0
 * @category models
 */
export class CallLog {
  private readonly log: BoundedLog<Arrival>

  constructor(
    limits: { readonly entries: number; readonly bytes: number },
    private readonly redactor: Redactor,
    /** How an allocation is shown (the allocation log's view, so that both logs give the same objects). */
    private readonly showAllocation: (call: Arrival, row: number, entriesOf: EntriesOf) => AllocationRecord
  ) {
    this.log = new BoundedLog(limits.entries, limits.bytes)
  }

  push(call: Arrival): void {
    this.log.push(call, sizeOf(call))
  }

  /** A call decoded and masked, the same object on every read. */
  shown(call: Arrival, entriesOf: EntriesOf = entriesReader()): RecordedCall {
    if (call.shownCall !== undefined) return call.shownCall
    const entries = entriesOf(call)
    const rows = new Array<RecordedRow>(call.rowCount)
    for (let i = 0; i < rows.length; i++) rows[i] = this.row(call, i, entries[i], entriesOf)
    const shown: RecordedCall = {
      kind: call.kind,
      at: call.at,
      method: call.method,
      path: this.redactor.url(call.target),
      apiVersion: call.apiVersion,
      faults: call.faults,
      status: call.status,
      rows,
      error: call.error
    }
    call.shownCall = shown
    return shown
  }

  private row(call: Arrival, row: number, entry: unknown, entriesOf: EntriesOf): RecordedRow {
    const { requestId, apiSuffix } = fieldsOf(entry)
    const parsed = apiSuffix === undefined ? undefined : ApiSuffix.parse(apiSuffix)
    const suffix = parsed !== undefined && Result.isSuccess(parsed) ? parsed.success : undefined
    const sent = suffix === undefined ? [] : [ApiSuffix.keyOf(suffix)]
    const values = [requestId, suffix?.ringPoolId]
    for (const [name, value] of suffix?.params ?? []) values.push(name, value)
    const clean = this.redactor.clean(values, sent)
    const show = (value: string) => (clean ? value : this.redactor.value(value, sent))
    const error = call.position(row) === refusedPosition ? call.errors![row]! : undefined
    return {
      requestId: requestId === undefined ? undefined : show(requestId),
      apiSuffix: apiSuffix === undefined ? undefined : this.redactor.url(apiSuffix, sent),
      ringPoolId: suffix === undefined ? undefined : show(suffix.ringPoolId),
      params:
        suffix === undefined
          ? undefined
          : Object.fromEntries(suffix.params.map(([name, value]) => [show(name), show(value)])),
      allocation: error === undefined ? this.showAllocation(call, row, entriesOf) : undefined,
      error: error === undefined ? undefined : { ...error, message: this.redactor.text(error.message, sent) }
    }
  }

  /** Every request received, oldest first, decoded and masked. */
  read(): Array<RecordedCall> {
    const entriesOf = entriesReader()
    return this.log.toArray().map((call) => this.shown(call, entriesOf))
  }

  clear(): void {
    this.log.clear()
  }
}
