import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Outcome, RingPoolClient, type RingPoolError } from "../src/index.ts"
import type { StubAnswer } from "./support/stubService.ts"
import { transports } from "./support/transports.ts"
import { vectors } from "./support/vectors.ts"

// The seed's three rows, sent with the seed's request ids so that the seed's answers line up.
const seedRows = [
  { ringPoolId: "1", ringPoolKey: "A329F4DC002168", params: { m1: "autos", m2: "ford" }, requestId: "193C5F" },
  { ringPoolId: "1", ringPoolKey: "A329F4DC002168", params: { m1: "antiques" }, requestId: "58CD4F" },
  { ringPoolId: "1", ringPoolKey: "A329F4DC002168", params: { m1: "electronics" }, requestId: "E3901B" }
]

for (const transport of transports) {
  describe(`over ${transport.name}`, () => {
    const allocateSeedRowsAgainst = (answer: StubAnswer) => {
      const service = transport.client(() => answer, { retry: false })
      return RingPoolClient.RingPoolClient.use((client) => client.allocateAll(seedRows)).pipe(
        Effect.provide(service.layer),
        Effect.map((outcomes) => ({ outcomes, calls: service.calls }))
      )
    }

    const reasonsOf = (outcomes: ReadonlyArray<Outcome.Outcome>) =>
      outcomes.map((outcome) => {
        assert.isFalse(outcome.ok)
        return outcome.ok ? undefined : outcome.error.reason
      })

    describe("the seed's examples", () => {
      it.effect("the example response gives three allocations, only the last one overflow", () =>
        Effect.gen(function* () {
          const { outcomes, calls } = yield* allocateSeedRowsAgainst({ body: vectors.response })
          assert.strictEqual(calls.length, 1)
          assert.deepStrictEqual(
            calls[0]!.rows.map((row) => row.request_id),
            ["193C5F", "58CD4F", "E3901B"]
          )
          const allocations = outcomes.map((outcome) => (outcome.ok ? outcome.allocation : undefined))
          assert.deepStrictEqual(
            allocations.map((a) => [a?.requestId, a?.promoNumber, a?.promoNumberFormatted, a?.overflow]),
            [
              ["193C5F", "8883906665", "888-390-6665", false],
              ["58CD4F", "8774551120", "877-455-1120", false],
              ["E3901B", "8669715703", "866-971-5703", true]
            ]
          )
          assert.strictEqual(allocations[0]?.trackingUrl, vectors.response.responses[0]!.tracking_url)
        })
      )

      it.effect("the example with an error row gives two allocations and one InvalidKey rejection, key masked", () =>
        Effect.gen(function* () {
          const { outcomes } = yield* allocateSeedRowsAgainst({ body: vectors.responseWithRowError })
          assert.deepStrictEqual(
            outcomes.map((o) => o.ok),
            [true, false, true]
          )
          const rejected = outcomes[1]!
          assert.isFalse(rejected.ok)
          if (rejected.ok) return
          const reason = rejected.error.reason
          assert.strictEqual(reason._tag, "Rejected")
          if (reason._tag !== "Rejected") return
          assert.strictEqual(reason.errorClass, "InvalidKey")
          assert.strictEqual(rejected.error.requestId, "58CD4F")
          assert.notInclude(rejected.error.message, "A329F4DC002168")
          assert.include(rejected.error.message, "is not valid for resource '1'")
        })
      )

      it.effect("OnlyBulkNumberAllocationAllowed fails every row of the call with ServiceError", () =>
        Effect.gen(function* () {
          const { outcomes } = yield* allocateSeedRowsAgainst({ status: 403, body: vectors.onlyBulkError })
          for (const reason of reasonsOf(outcomes)) {
            assert.strictEqual(reason?._tag, "ServiceError")
            if (reason?._tag !== "ServiceError") continue
            assert.strictEqual(reason.errorClass, "OnlyBulkNumberAllocationAllowed")
            assert.strictEqual(reason.errorHandle, undefined)
            assert.strictEqual(reason.status, 403)
          }
        })
      )

      it.effect("a 500 InternalServiceError gives ServiceError with its handle for every row, not retried", () =>
        Effect.gen(function* () {
          const { outcomes, calls } = yield* allocateSeedRowsAgainst({
            status: vectors.internalServiceError.status,
            body: vectors.internalServiceError.body
          })
          const reasons = reasonsOf(outcomes)
          assert.strictEqual(reasons.length, 3)
          for (const reason of reasons) {
            assert.strictEqual(reason?._tag, "ServiceError")
            if (reason?._tag !== "ServiceError") continue
            assert.strictEqual(reason.errorClass, "InternalServiceError")
            assert.strictEqual(reason.errorHandle, 1228118400)
            assert.strictEqual(reason.status, 500)
            assert.isFalse(reason.retryable)
          }
          assert.strictEqual(calls.length, 1)
        })
      )
    })

    describe("answers that cannot be trusted fail every row of the call", () => {
      const cases: Array<[string, StubAnswer, RingPoolError.Reason["_tag"]]> = [
        ["not JSON", { body: "<html>oops</html>" }, "InvalidResponse"],
        ["truncated JSON", { body: JSON.stringify(vectors.response).slice(0, 80) }, "InvalidResponse"],
        ["the wrong shape", { body: { numbers: [] } }, "InvalidResponse"],
        [
          "a row that is neither success nor error",
          { body: { responses: [{ request_id: "193C5F" }, {}, {}] } },
          "InvalidResponse"
        ],
        ["fewer rows", { body: { responses: vectors.response.responses.slice(0, 2) } }, "ResponseMismatch"],
        [
          "more rows",
          { body: { responses: [...vectors.response.responses, vectors.response.responses[0]] } },
          "ResponseMismatch"
        ],
        ["rows reordered", { body: { responses: [...vectors.response.responses].reverse() } }, "ResponseMismatch"],
        [
          "an echo that differs at its position",
          {
            body: {
              responses: vectors.response.responses.map((row, i) => (i === 1 ? { ...row, request_id: "OTHER" } : row))
            }
          },
          "ResponseMismatch"
        ],
        [
          "an echo left out",
          { body: { responses: vectors.response.responses.map(({ request_id: _, ...row }) => row) } },
          "ResponseMismatch"
        ],
        ["an HTTP 418 with no documented body", { status: 418, body: "teapot" }, "HttpStatus"]
      ]
      for (const [name, answer, tag] of cases) {
        it.effect(`${name}: ${tag}`, () =>
          Effect.gen(function* () {
            const { outcomes } = yield* allocateSeedRowsAgainst(answer)
            assert.strictEqual(outcomes.length, 3)
            for (const reason of reasonsOf(outcomes)) assert.strictEqual(reason?._tag, tag)
          })
        )
      }
    })
  })
}
