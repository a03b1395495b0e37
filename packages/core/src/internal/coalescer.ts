/**
 * Gathers rows from every caller of the process into bulk calls.
 *
 * No batch window: rows that arrive in the same turn of the event loop are flushed together right after it, so a
 * lone call at idle goes out at once. Under load at most `maxInFlight` calls are open; rows that arrive meanwhile
 * wait and leave together when a call returns, so batches grow with load, up to `maxBatchSize`.
 *
 * Plain code on purpose: a row costs a queue slot and a callback, not a fiber.
 */
import type { RowResult } from "../Outcome.ts"
import type { WireRow } from "./bulkCall.ts"

export interface Entry {
  /** Replaced by a copy with a generated `request_id` when its own repeats within the call it joins. */
  row: WireRow
  /**
   * Called exactly once with the row's result and `index`, unless the caller cancelled first. The rows of one
   * `allocateAll` share one function and tell their place by `index`: no closure a row.
   */
  readonly settle: (result: RowResult, index: number) => void
  readonly index: number
  cancelled: boolean
}

export interface CoalescerSettings {
  readonly maxBatchSize: number
  readonly maxInFlight: number
  /** Performs one bulk call; must call `done` with one result per row, in order, and never throw. */
  readonly send: (rows: ReadonlyArray<WireRow>, done: (results: ReadonlyArray<RowResult>) => void) => void
}

/** Rows taken from the queue after which it is compacted, when they are at least half of it. */
const compactAfter = 1024

let generated = 0

/** A `request_id` for a row whose caller gave none (or a repeat within one call): unique in this process. */
export const generateWireId = (): string => `rp-${(generated++).toString(36)}`

export class Coalescer {
  private queue: Array<Entry> = []
  private head = 0
  private inFlight = 0
  private scheduled = false
  private idleWaiters: Array<() => void> = []

  constructor(private readonly settings: CoalescerSettings) {}

  get pending(): number {
    return this.queue.length - this.head + this.inFlight
  }

  push(entry: Entry): void {
    this.queue.push(entry)
    this.schedule()
  }

  /** Resolves once every row pushed so far has its outcome. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(this.flush)
  }

  private readonly flush = (): void => {
    this.scheduled = false
    while (this.inFlight < this.settings.maxInFlight && this.head < this.queue.length) {
      const batch = this.take()
      if (batch.length > 0) this.dispatch(batch)
    }
    if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    } else if (this.head >= compactAfter && this.head * 2 >= this.queue.length) {
      // Under load that never lets the queue empty, the rows already taken would stay referenced by it (and with them
      // their callers' callbacks) for as long as the load lasts: drop them once they are half of it.
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    this.notifyIdle()
  }

  /** The next batch: live entries in arrival order, each with a `request_id` unique within the call. */
  private take(): Array<Entry> {
    const batch: Array<Entry> = []
    const ids = new Set<string>()
    const max = this.settings.maxBatchSize
    while (batch.length < max && this.head < this.queue.length) {
      const entry = this.queue[this.head++]!
      if (entry.cancelled) continue
      // The echo is checked by position; a repeated id would let two rows of the same call swap unnoticed.
      if (ids.has(entry.row.request_id)) {
        // A caller may give ids of the generated form (`rp-0`): the new one must not repeat one of the call's either.
        let id = generateWireId()
        while (ids.has(id)) id = generateWireId()
        entry.row = { ...entry.row, request_id: id }
      }
      ids.add(entry.row.request_id)
      batch.push(entry)
    }
    return batch
  }

  private dispatch(batch: ReadonlyArray<Entry>): void {
    this.inFlight++
    this.settings.send(
      batch.map((entry) => entry.row),
      (results) => {
        this.inFlight--
        for (let i = 0; i < batch.length; i++) {
          const entry = batch[i]!
          if (!entry.cancelled) entry.settle(results[i]!, entry.index)
        }
        if (this.head < this.queue.length) this.schedule()
        else this.notifyIdle()
      }
    )
  }

  private notifyIdle(): void {
    if (this.pending !== 0 || this.idleWaiters.length === 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
