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
import { BoundedLog } from "./internal/boundedLog.ts"
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

/**
 * How much history a log keeps: its most recent entries, at most this many and about this many bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  readonly entries: number
  readonly bytes: number
}

// What a record keeps alive besides its strings: the record, its params object, their slots (an estimate).
const recordOverhead = 160
const perParam = 32

const sizeOf = (record: AllocationRecord): number => {
  let size = recordOverhead + record.ringPoolId.length + (record.requestId?.length ?? 0)
  for (const name in record.params) size += perParam + name.length + record.params[name]!.length
  return size
}

/**
 * @since 0.1.0
 * @category models
 */
export class AllocationLog {
  private readonly log: BoundedLog<AllocationRecord>
  /** Records as shown: the record itself when it holds no key (nearly always), else a masked copy. */
  private shownAs = new WeakMap<AllocationRecord, AllocationRecord>()

  constructor(
    limits: Limits,
    private readonly redactor: Redactor
  ) {
    this.log = new BoundedLog(limits.entries, limits.bytes, sizeOf)
  }

  push(record: AllocationRecord): void {
    this.log.push(record)
  }

  /**
   * A record as tests may see it: a parameter or request id that holds a ring pool key is masked. The same record
   * always shows as the same object, so `attribute` and `allocations` can be compared with `===`.
   */
  shown(record: AllocationRecord): AllocationRecord {
    const known = this.shownAs.get(record)
    if (known !== undefined) return known
    const values = [record.requestId]
    for (const name in record.params) values.push(name, record.params[name])
    let shown = record
    if (!this.redactor.clean(values)) {
      const params: Record<string, string> = {}
      for (const name in record.params) params[this.redactor.value(name)] = this.redactor.value(record.params[name]!)
      const requestId = record.requestId === undefined ? undefined : this.redactor.value(record.requestId)
      shown = { ...record, params, requestId }
    }
    this.shownAs.set(record, shown)
    return shown
  }

  /** The log, oldest first. */
  read(): Array<AllocationRecord> {
    return this.log.toArray().map((record) => this.shown(record))
  }

  /**
   * The allocation a call to `promoNumber` (digits, or formatted as `888-390-6665`) at time `at` belongs to:
   * the last allocation of that number at or before `at`. Undefined for an overflow number, a number never
   * allocated by then, or one whose allocation has left the log.
   */
  attribute(promoNumber: string, at: number): AllocationRecord | undefined {
    const digits = promoNumber.replace(/\D/g, "")
    for (let back = 0; ; back++) {
      const record = this.log.fromNewest(back)
      if (record === undefined) return undefined
      if (record.promoNumber !== digits || record.at > at) continue
      // The overflow number is shared by every visitor beyond capacity: no call to it names one allocation.
      return record.overflow ? undefined : this.shown(record)
    }
  }

  clear(): void {
    this.log.clear()
    this.shownAs = new WeakMap()
  }
}
