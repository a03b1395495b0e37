/**
 * The contract every face of the fake must keep with the core client, whatever fault is injected: each row gets
 * exactly one outcome, and a row that gets a number gets one the fake's log gave to that very row.
 */

import { assert } from "@effect/vitest"
import type { AllocationRequest, Outcome } from "@ringpool/core"
import type { AllocationLog, FaultPlan } from "../../src/index.ts"

export const poolOptions = [{ id: "77", key: "contract-key", size: 4 }]

/** Six rows for a pool of four: the last two get the overflow number when nothing fails. */
export const rows: ReadonlyArray<AllocationRequest.AllocationRequest & { readonly params: Record<string, string> }> =
  Array.from({ length: 6 }, (_, i) => ({
    ringPoolId: "77",
    ringPoolKey: "contract-key",
    params: { m1: `visit ${i}`, n: String(i) },
    requestId: `row-${i}`
  }))

export interface Scenario {
  readonly name: string
  readonly faults: ReadonlyArray<FaultPlan.Injection>
  /** What every row gets: an allocation, or a failure with this reason; "either" when a draw decides per call. */
  readonly expect: "allocated" | RingPoolError["reason"]["_tag"] | "either"
  /** Bulk calls the fake sees (retries included), when it is fixed. */
  readonly bulkCalls?: number
}

type RingPoolError = Extract<Outcome.Outcome, { ok: false }>["error"]

/** The client's settings in contract tests: small batches so that a draw can hit some calls and not others. */
export const clientOptions = { maxBatchSize: 2, timeoutMs: 1_000, retry: { baseDelayMs: 5 } }

export const scenarios: ReadonlyArray<Scenario> = [
  { name: "no fault", faults: [], expect: "allocated", bulkCalls: 3 },
  { name: "delay within the budget", faults: [{ fault: "delay", ms: 50, times: "always" }], expect: "allocated" },
  { name: "delay past the budget", faults: [{ fault: "delay", ms: 10_000, times: "always" }], expect: "Timeout" },
  { name: "500", faults: [{ fault: "status", status: 500, times: "always" }], expect: "ServiceError", bulkCalls: 3 },
  {
    name: "503 once (retried)",
    faults: [{ fault: "status", status: 503, times: 1 }],
    expect: "allocated",
    bulkCalls: 4
  },
  {
    name: "503 always",
    faults: [{ fault: "status", status: 503, times: "always" }],
    expect: "HttpStatus",
    bulkCalls: 9
  },
  { name: "drop", faults: [{ fault: "drop", times: "always" }], expect: "Transport", bulkCalls: 3 },
  { name: "malformed", faults: [{ fault: "malformed", times: "always" }], expect: "InvalidResponse" },
  { name: "truncate", faults: [{ fault: "truncate", times: "always" }], expect: "InvalidResponse" },
  { name: "missingRow", faults: [{ fault: "missingRow", times: "always" }], expect: "ResponseMismatch" },
  { name: "reorder", faults: [{ fault: "reorder", times: "always" }], expect: "ResponseMismatch" },
  {
    name: "drop with probability 0.5",
    faults: [{ fault: "drop", times: "always", probability: 0.5 }],
    expect: "either"
  },
  {
    name: "every fault at once, each with probability 0.3",
    faults: [
      { fault: "status", status: 500, times: "always", probability: 0.3 },
      { fault: "drop", times: "always", probability: 0.3 },
      { fault: "malformed", times: "always", probability: 0.3 },
      { fault: "truncate", times: "always", probability: 0.3 },
      { fault: "missingRow", times: "always", probability: 0.3 },
      { fault: "reorder", times: "always", probability: 0.3 }
    ],
    expect: "either"
  }
]

export const checkContract = (
  scenario: Scenario,
  outcomes: ReadonlyArray<Outcome.Outcome>,
  log: ReadonlyArray<AllocationLog.AllocationRecord>,
  attribute: (promoNumber: string, at: number) => AllocationLog.AllocationRecord | undefined,
  bulkCalls: number
): void => {
  assert.strictEqual(outcomes.length, rows.length, "one outcome per row")
  outcomes.forEach((outcome, i) => {
    const row = rows[i]!
    if (scenario.expect === "allocated")
      assert.isTrue(outcome.ok, `${row.requestId}: ${!outcome.ok && outcome.error.message}`)
    else if (scenario.expect !== "either") {
      assert.isFalse(outcome.ok, `${row.requestId} was allocated`)
      if (!outcome.ok) assert.strictEqual(outcome.error.reason._tag, scenario.expect)
    }
    if (!outcome.ok) {
      assert.strictEqual(outcome.error.requestId, row.requestId)
      return
    }
    const allocation = outcome.allocation
    assert.strictEqual(allocation.requestId, row.requestId)
    // The number must be one the fake gave to this very row (same request id, same parameters).
    const record = log.find((r) => r.requestId === row.requestId && r.promoNumber === allocation.promoNumber)
    assert.isDefined(record, `${row.requestId} got ${allocation.promoNumber}, which the fake never gave it`)
    assert.deepStrictEqual(record!.params, row.params)
    assert.strictEqual(record!.overflow, allocation.overflow)
    // And no other row held that number then.
    if (!allocation.overflow) assert.strictEqual(attribute(allocation.promoNumber, record!.at), record)
  })
  if (scenario.expect === "allocated") {
    // Calls may reach the fake in any order, so which rows overflow varies; how many does not.
    assert.strictEqual(outcomes.filter((o) => o.ok && o.allocation.overflow).length, 2)
  }
  if (scenario.bulkCalls !== undefined) assert.strictEqual(bulkCalls, scenario.bulkCalls)
}
