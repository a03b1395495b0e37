import { inspect } from "node:util"
import { assert, describe, it } from "@effect/vitest"
import { RingPoolError } from "../src/index.ts"

const rejected = () =>
  RingPoolError.make(new RingPoolError.Rejected({ errorClass: "InvalidKey", description: "not valid" }), "r1")

describe("RingPoolError", () => {
  it("is logged with its message, its stack and its reason (console.log, util.inspect)", () => {
    const shown = inspect(rejected())
    assert.match(shown, /^RingPoolError: The service rejected the row: InvalidKey: not valid\n\s+at /)
    assert.include(shown, "errorClass: 'InvalidKey'")
    assert.include(shown, "requestId: 'r1'")
  })

  it("is told apart with isRingPoolError or instanceof RingPoolError.RingPoolError", () => {
    const error: unknown = rejected()
    assert.isTrue(RingPoolError.isRingPoolError(error))
    assert.isTrue(error instanceof RingPoolError.RingPoolError)
    assert.isFalse(RingPoolError.isRingPoolError(new Error("other")))
    // One made by another copy of the package (two versions installed side by side) is one too.
    const fromAnotherCopy = Object.assign(new Error("The service rejected the row"), {
      _tag: "RingPoolError",
      reason: { _tag: "Rejected" }
    })
    assert.isTrue(RingPoolError.isRingPoolError(fromAnotherCopy))
    assert.isFalse(RingPoolError.isRingPoolError({ _tag: "RingPoolError", reason: { _tag: "Rejected" } }))
  })
})
