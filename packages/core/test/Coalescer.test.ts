import { describe, expect, it } from "vitest"
import type { WireRow } from "../src/internal/bulkCall.ts"
import { Coalescer, type Entry, generateWireId } from "../src/internal/coalescer.ts"

const row = (i: number): WireRow => ({
  api_suffix: `1/allocate_number.json?m=${i}`,
  request_id: `r${i}`,
  requestId: undefined,
  key: "k"
})

describe("the coalescer's request ids", () => {
  it("sends every row of a call with its own id, even when callers give ids of the generated form", async () => {
    // The id the coalescer would generate next: callers can guess it (ids are sequential), and give it.
    const peek = generateWireId()
    const next = `rp-${(Number.parseInt(peek.slice(3), 36) + 1).toString(36)}`
    const sent: Array<ReadonlyArray<string>> = []
    const coalescer = new Coalescer({
      maxBatchSize: 100,
      maxInFlight: 1,
      send: (rows) => sent.push(rows.map((r) => r.request_id))
    })
    for (const id of [next, "dup", "dup", `rp-${(Number.parseInt(peek.slice(3), 36) + 2).toString(36)}`]) {
      coalescer.push({ row: { ...row(0), request_id: id }, settle: () => undefined, index: 0, cancelled: false })
    }
    await new Promise((resolve) => setImmediate(resolve))
    expect(sent).toHaveLength(1)
    expect(new Set(sent[0]).size).toBe(4)
  })
})

describe("the coalescer's queue", () => {
  it("does not keep the rows it has sent under load that never lets it empty", async () => {
    let settled = 0
    const coalescer = new Coalescer({
      maxBatchSize: 100,
      maxInFlight: 1,
      send: (rows, done) => {
        setImmediate(() =>
          done(rows.map(() => ({ promoNumber: "8005550100", promoNumberFormatted: "800-555-0100", overflow: false })))
        )
      }
    })
    let pushed = 0
    // 120 rows a turn against 100 sent a turn: the queue never empties, and 60,000 rows go through it.
    for (let turn = 0; turn < 500; turn++) {
      for (let i = 0; i < 120; i++) {
        const entry: Entry = { row: row(pushed++), settle: () => settled++, index: 0, cancelled: false }
        coalescer.push(entry)
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    const held = (coalescer as unknown as { queue: Array<Entry>; head: number }).queue.length
    const waiting = coalescer.pending
    expect(settled).toBeGreaterThan(30_000)
    // What it holds is about what still waits, not everything that went through it.
    expect(held).toBeLessThan(2 * waiting + 1_100)
    await coalescer.whenIdle()
    expect(settled).toBe(pushed)
  })
})
