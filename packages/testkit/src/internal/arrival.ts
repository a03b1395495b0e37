/**
 * A request as both logs keep it while serving: one object per call, whatever its number of rows. Per row it holds two
 * integers (the row's pool and the position of its number) and, for a refused row, its error; the body stays as it
 * was sent (bytes from a socket stay bytes, off the JavaScript heap). Request ids and parameters are read again from
 * the body when a log is read.
 *
 * A load test allocates hundreds of thousands of rows a second and the logs keep each for a while: an object per
 * row, surviving a few garbage collections, cost a third of the fake's time. One object per call, pointing at what
 * exists anyway, costs next to nothing.
 */
import type { BulkProtocol } from "@ringpool/core"
import type { AllocationRecord } from "../AllocationLog.ts"
import type { RecordedCall, RowError } from "../CallLog.ts"
import type { FaultName } from "../FaultPlan.ts"
import type { ResolvedPool } from "../Pool.ts"
import { entriesAgain } from "./bulkBody.ts"

/** The position of a row given its pool's overflow number. */
export const overflowPosition = -1
/** The position of a row that got an error row. */
export const refusedPosition = -2

const decoder = new TextDecoder()

export class Arrival {
  status: number | undefined = undefined
  error: BulkProtocol.ErrorBody["errors"] | undefined = undefined
  /** The body as sent, kept when it had rows. */
  sent: string | Uint8Array | undefined = undefined
  /** Two slots per row: the index of its pool among the fake's pools, and the position of its number. */
  rows: Int32Array | undefined = undefined
  /** The error of each refused row, when there is one. */
  errors: Array<RowError | undefined> | undefined = undefined
  /** When its rows were allocated (the pools' time, which never goes back), and how many were. */
  allocatedAt = 0
  allocated = 0
  /** What the logs show, made on the first read and kept, so that every read gives the same objects. */
  shownRecords: Array<AllocationRecord | undefined> | undefined = undefined
  shownCall: RecordedCall | undefined = undefined

  constructor(
    readonly kind: RecordedCall["kind"],
    readonly at: number,
    readonly method: string,
    readonly target: string,
    readonly apiVersion: string | undefined,
    readonly faults: ReadonlyArray<FaultName>,
    readonly pools: ReadonlyArray<ResolvedPool>
  ) {}

  get rowCount(): number {
    return this.rows === undefined ? 0 : this.rows.length >> 1
  }

  /** About what the body keeps alive: bytes, or UTF-16 units of a text. */
  get sentSize(): number {
    return this.sent?.length ?? 0
  }

  /** The body's entries, parsed again. */
  entries(): ReadonlyArray<unknown> {
    if (this.sent === undefined) return []
    return entriesAgain(typeof this.sent === "string" ? this.sent : decoder.decode(this.sent))
  }

  pool(row: number): ResolvedPool {
    return this.pools[this.rows![row << 1]!]!
  }

  position(row: number): number {
    return this.rows![(row << 1) + 1]!
  }

  /** The number a row was given (undefined for a refused row). */
  promoNumber(row: number): string | undefined {
    const position = this.position(row)
    if (position === refusedPosition) return undefined
    const pool = this.pool(row)
    return position === overflowPosition ? pool.overflowNumber : pool.numberAt(position)
  }
}

/** Reads the entries of the arrivals a read of the logs meets, each parsed once per read. */
export type EntriesOf = (arrival: Arrival) => ReadonlyArray<unknown>

/** An `EntriesOf` for one read of the logs. */
export const entriesReader = (): EntriesOf => {
  const parsed = new Map<Arrival, ReadonlyArray<unknown>>()
  return (arrival) => {
    let entries = parsed.get(arrival)
    if (entries === undefined) {
      entries = arrival.entries()
      parsed.set(arrival, entries)
    }
    return entries
  }
}
