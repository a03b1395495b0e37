import { describe, expect, it } from "vitest"
import type { WireRow } from "../src/internal/bulkCall.ts"
import { Coalescer, type Entry } from "../src/internal/coalescer.ts"

const row = (i: number): WireRow => ({
  api_suffix: `1/allocate_number.json?m=${i}`,
  request_id: `r${i}`,
  requestId: undefined,
  key: "k"
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
