/** A transport-free fake driven by hand: bulk bodies in, answers out. */
import { assert } from "@effect/vitest"
import type { BulkProtocol } from "@ringpool/core"
import type { FakeRingPool } from "../../src/index.ts"

export const pools = [{ id: "1", key: "k", size: 10 }]

export const body = (...m1: Array<string>) =>
  JSON.stringify({
    requests: m1.map((value, i) => ({
      api_suffix: `1/allocate_number.json?ring_pool_key=k&m1=${value}`,
      request_id: `r${i}`
    }))
  })

export const post = (fake: FakeRingPool.Fake, text = body("a"), now = 0) =>
  fake.handle("POST", "/api/2013-07-01/bulk.json", text, now)

export const responded = (answer: FakeRingPool.FakeAnswer) => {
  if (answer._tag !== "Respond") return assert.fail("expected a response, got a dropped connection")
  return answer
}

export const rowsOf = (answer: FakeRingPool.FakeAnswer) =>
  (JSON.parse(responded(answer).body) as BulkProtocol.ResponseBody).responses

export const statuses = (fake: FakeRingPool.Fake, calls: number) =>
  Array.from({ length: calls }, () => responded(post(fake)).status)

export const quiet = { onUnexpectedRequest: () => {} }
