import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AllocationRequest, type ClientOptions, RingPoolClient } from "../src/index.ts"
import { allocateEach, type StubAnswer, type StubCall } from "./support/stubService.ts"
import { transports } from "./support/transports.ts"

const request: AllocationRequest.AllocationRequest = {
  ringPoolId: "5",
  ringPoolKey: "k",
  params: { n: "9" },
  requestId: "r"
}

for (const transport of transports) {
  describe(`over ${transport.name}`, () => {
    // Real time with millisecond backoff: the retry schedule is the client's own, not the test's.
    const attempt = (answers: ReadonlyArray<StubAnswer>, options: ClientOptions.ClientOptions = {}) => {
      const service = transport.client((call: StubCall, index) => answers[index] ?? allocateEach(call), {
        timeoutMs: 50,
        retry: { baseDelayMs: 1, maxDelayMs: 2 },
        ...options
      })
      return RingPoolClient.RingPoolClient.use((client) => Effect.exit(client.allocate(request))).pipe(
        Effect.provide(service.layer),
        Effect.map((exit) => ({ exit, calls: service.calls.length }))
      )
    }

    const reasonOf = (exit: { _tag: string; cause?: { reasons: ReadonlyArray<{ _tag: string }> } }) =>
      (exit.cause?.reasons.find((r) => r._tag === "Fail") as { error: { reason: { _tag: string } } } | undefined)?.error
        .reason._tag

    describe("retry defaults: only what cannot have allocated twice", () => {
      // Gateways answer 502/503/504 without reaching the application; 429 says the call was not processed.
      for (const status of [502, 503, 504, 429]) {
        it.live(`HTTP ${status} is retried`, () =>
          Effect.gen(function* () {
            const { exit, calls } = yield* attempt([
              { status, body: "not now" },
              { status, body: "not now" }
            ])
            assert.strictEqual(exit._tag, "Success")
            assert.strictEqual(calls, 3)
          })
        )
      }

      it.live("a retryOn of the caller's own can leave a gateway's 502 and 504 out", () =>
        Effect.gen(function* () {
          const { exit, calls } = yield* attempt([{ status: 504, body: "gateway" }], {
            retry: { baseDelayMs: 1, retryOn: (reason) => reason._tag !== "HttpStatus" || reason.status === 503 }
          })
          assert.strictEqual(reasonOf(exit), "HttpStatus")
          assert.strictEqual(calls, 1)
        })
      )

      // A listening server cannot refuse a connection: the Node transport's refusals are in NodeTransport.test.ts.
      if (transport.name !== "node:http") {
        it.live("a refused connection is retried", () =>
          Effect.gen(function* () {
            const { exit, calls } = yield* attempt([{ fail: "refused" }])
            assert.strictEqual(exit._tag, "Success")
            assert.strictEqual(calls, 2)
          })
        )
      }

      it.live("retries stop at the cap and report the last failure", () =>
        Effect.gen(function* () {
          const { exit, calls } = yield* attempt(Array(5).fill({ status: 503, body: "" }))
          assert.strictEqual(reasonOf(exit), "HttpStatus")
          assert.strictEqual(calls, 3)
        })
      )

      it.live("a 500 is not retried", () =>
        Effect.gen(function* () {
          const { exit, calls } = yield* attempt([
            {
              status: 500,
              body: { errors: { class: "InternalServiceError", invalid_data: "refer to error handle 7" } }
            }
          ])
          assert.strictEqual(reasonOf(exit), "ServiceError")
          assert.strictEqual(calls, 1)
        })
      )

      it.live("a timeout is not retried", () =>
        Effect.gen(function* () {
          const { exit, calls } = yield* attempt([{ delayMs: 500, answer: { body: "" } }])
          assert.strictEqual(reasonOf(exit), "Timeout")
          assert.strictEqual(calls, 1)
        })
      )

      it.live("a connection reset after sending is not retried", () =>
        Effect.gen(function* () {
          const { exit, calls } = yield* attempt([{ fail: "reset" }])
          assert.strictEqual(reasonOf(exit), "Transport")
          assert.strictEqual(calls, 1)
        })
      )

      it.live("is configurable: off, or retrying timeouts too", () =>
        Effect.gen(function* () {
          const off = yield* attempt([{ status: 503, body: "" }], { retry: false })
          assert.strictEqual(off.calls, 1)
          const timeouts = yield* attempt([{ delayMs: 500, answer: { body: "" } }], {
            retry: { baseDelayMs: 1, retryOn: (reason) => reason._tag === "Timeout" }
          })
          assert.strictEqual(timeouts.exit._tag, "Success")
          assert.strictEqual(timeouts.calls, 2)
        })
      )
    })
  })
}
