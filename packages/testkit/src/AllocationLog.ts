/**
 * The allocation log: every number the fake handed out, to which row, when; and attribution ("which allocation did a
 * call to number N at time T belong to"), which is what downstream tests want to assert.
 *
 * Undocumented points decided here:
 * - A call to a number belongs to the last allocation of that number made at or before the call, even after its
 *   lifetime ended: the number still points at that visit until it is allocated again. Calls to an overflow
 *   number belong to no allocation (the service documents that they cannot be attributed).
 * - The log keeps the most recent allocations within a count and a size in bytes (`logLimit`), so that a load test or
 *   a hostile client cannot grow the fake without end; attribution answers from what the log still holds.
 * - Attribution searches the log from its newest entry back, when asked: serving a row then costs no index, and
 *   tests ask about the recent past.
 *
 * @since 0.1.0
 */
import { ApiSuffix, type BulkProtocol } from "@ringpool/core"
import { Result } from "effect"
import { type Arrival, type EntriesOf, entriesReader, overflowPosition, refusedPosition } from "./internal/arrival.ts"
import type { Redactor } from "./internal/redaction.ts"

/**
 * One entry of the allocation log.
 *
 * @since 0.1.0
 * @category models
 */
export interface AllocationRecord {
  readonly ringPoolId: string
  /** 10 digits, e.g. `8883906665`. */
  readonly promoNumber: string
  /** The row's parameters (a repeated name keeps its last value, as a Rails server reads a query). */
  readonly params: Readonly<Record<string, string>>
  /** The row's `request_id`, when it had one. */
  readonly requestId: string | undefined
  /** True when the row got the pool's overflow number. */
  readonly overflow: boolean
  /** When the number was allocated, in milliseconds of the fake's clock. */
  readonly at: number
}

// What a call's allocations keep alive besides its body: the call and two integers a row (an estimate).
const callOverhead = 256
const perRow = 8

/**
 * @since 0.1.0
 * @category models
 */
export class AllocationLog {
  /** Calls with at least one allocation, oldest first; the oldest may be partly dropped (`dropped` of its rows). */
  private calls: Array<Arrival> = []
  private head = 0
  private dropped = 0
  private entries = 0
  private bytes = 0

  constructor(
    /** Its most recent allocations are kept: at most `entries`, and about `bytes` of what they keep alive. */
    private readonly limits: { readonly entries: number; readonly bytes: number },
    private readonly redactor: Redactor
  ) {}

  /** Logs the allocations of a call. */
  push(call: Arrival): void {
    this.calls.push(call)
    this.entries += call.allocated
    this.bytes += sizeOf(call)
    // The newest call stays, however large: its newest allocations, within the count.
    while (
      this.entries > this.limits.entries ||
      (this.bytes > this.limits.bytes && this.calls.length - this.head > 1)
    ) {
      const oldest = this.calls[this.head]!
      const left = oldest.allocated - this.dropped
      const over = this.entries - this.limits.entries
      if (this.calls.length - this.head > 1 && (over >= left || this.bytes > this.limits.bytes)) {
        this.entries -= left
        this.bytes -= sizeOf(oldest)
        this.calls[this.head++] = undefined as unknown as Arrival
        this.dropped = 0
      } else {
        this.dropped += over
        this.entries -= over
      }
    }
    if (this.head > 1024 && this.head > this.calls.length >> 1) {
      this.calls = this.calls.slice(this.head)
      this.head = 0
    }
  }

  /**
   * An allocation as tests see it: its request id and parameters read from the body it came in, and any of them that
   * holds a ring pool key masked. The same allocation always shows as the same object, so `attribute` and
   * `allocations` can be compared with `===`.
   */
  shown(call: Arrival, row: number, entriesOf: EntriesOf = entriesReader()): AllocationRecord {
    if (call.shownRecords === undefined) call.shownRecords = new Array(call.rowCount)
    const records = call.shownRecords
    const known = records[row]
    if (known !== undefined) return known
    // The row passed the row checks when it was allocated: an object with an api_suffix that parses.
    const entry = entriesOf(call)[row] as BulkProtocol.RequestRow
    const parsed = ApiSuffix.parse(entry.api_suffix)
    const pairs = Result.isSuccess(parsed) ? parsed.success.params : []
    const requestId = entry.request_id
    const values = [requestId]
    for (const [name, value] of pairs) values.push(name, value)
    const clean = this.redactor.clean(values)
    const show = (value: string) => (clean ? value : this.redactor.value(value))
    const shown: AllocationRecord = {
      ringPoolId: call.pool(row).id,
      promoNumber: call.promoNumber(row)!,
      params: Object.fromEntries(pairs.map(([name, value]) => [show(name), show(value)])),
      requestId: requestId === undefined ? undefined : show(requestId),
      overflow: call.position(row) === overflowPosition,
      at: call.allocatedAt
    }
    records[row] = shown
    return shown
  }

  /** The rows of a call that the log holds, oldest first. */
  private rowsOf(call: Arrival, index: number): Array<number> {
    const rows: Array<number> = []
    for (let row = 0; row < call.rowCount; row++) if (call.position(row) !== refusedPosition) rows.push(row)
    return index === this.head ? rows.slice(this.dropped) : rows
  }

  /** The log, oldest first. */
  read(): Array<AllocationRecord> {
    const entriesOf = entriesReader()
    const records: Array<AllocationRecord> = []
    for (let index = this.head; index < this.calls.length; index++) {
      const call = this.calls[index]!
      for (const row of this.rowsOf(call, index)) records.push(this.shown(call, row, entriesOf))
    }
    return records
  }

  /**
   * The allocation a call to `promoNumber` (digits, or formatted as `888-390-6665`) at time `at` belongs to:
   * the last allocation of that number at or before `at`. Undefined for an overflow number, a number never
   * allocated by then, or one whose allocation has left the log.
   */
  attribute(promoNumber: string, at: number): AllocationRecord | undefined {
    const digits = promoNumber.replace(/\D/g, "")
    for (let index = this.calls.length - 1; index >= this.head; index--) {
      const call = this.calls[index]!
      if (call.allocatedAt > at) continue
      const rows = this.rowsOf(call, index)
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = rows[i]!
        if (call.promoNumber(row) !== digits) continue
        // The overflow number is shared by every visitor beyond capacity: no call to it names one allocation.
        return call.position(row) === overflowPosition ? undefined : this.shown(call, row)
      }
    }
    return undefined
  }

  clear(): void {
    this.calls = []
    this.head = 0
    this.dropped = 0
    this.entries = 0
    this.bytes = 0
  }
}

const sizeOf = (call: Arrival): number => callOverhead + call.sentSize + perRow * call.rowCount
