/**
 * `ringpool allocate` and `ringpool suffix`, run as a user runs them, against the testkit's fake on a loopback port.
 */

import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type FakeRingPoolServer, startFakeRingPoolServer } from "@ringpool/testkit"
import { ringpool } from "./support/cli.ts"

let fake: FakeRingPoolServer.FakeRingPoolServer

beforeAll(async () => {
  fake = await startFakeRingPoolServer({ pools: [{ id: "100", key: "pool-key", size: 10 }] })
})
afterAll(() => fake.close())

describe("ringpool allocate", () => {
  it("prints one JSON object with the API's field names (service and key from the environment, or from flags)", async () => {
    const [fromEnv, fromFlags] = await Promise.all([
      ringpool(["allocate", "--pool", "100", "--request-id", "visit-1", "m1=autos", "SMS Callback=true"], {
        env: { RINGPOOL_BASE_URL: fake.url, RINGPOOL_KEY: "pool-key" }
      }),
      ringpool(["allocate", "--pool", "100", "--key", "pool-key", "--base-url", fake.url, "m1="])
    ])
    assert.strictEqual(fromEnv.code, 0, fromEnv.stderr)
    assert.strictEqual(fromEnv.stderr, "")
    const allocation = JSON.parse(fromEnv.stdout) as Record<string, unknown>
    assert.deepStrictEqual(Object.keys(allocation), [
      "request_id",
      "promo_number",
      "promo_number_formatted",
      "tracking_url",
      "overflow"
    ])
    assert.strictEqual(allocation.request_id, "visit-1")
    assert.strictEqual(allocation.overflow, false)
    const logged = fake.allocations().find((entry) => entry.requestId === "visit-1")
    assert.strictEqual(logged?.promoNumber, allocation.promo_number)
    assert.deepStrictEqual(logged?.params, { m1: "autos", "SMS Callback": "true" })

    assert.strictEqual(fromFlags.code, 0, fromFlags.stderr)
    assert.match((JSON.parse(fromFlags.stdout) as { promo_number: string }).promo_number, /^\d{10}$/)
  })

  it("prints a rejected row's error on stderr and exits 2; a service it cannot reach is a failed row too", async () => {
    const [rejected, unreachable] = await Promise.all([
      ringpool(["allocate", "--pool", "100", "--key", "wrong-key", "--base-url", fake.url, "m1=autos"]),
      // Port 1 on loopback: nothing listens there.
      ringpool(["allocate", "--pool", "100", "--key", "pool-key", "--base-url", "http://127.0.0.1:1", "m1=autos"])
    ])
    assert.strictEqual(rejected.code, 2)
    assert.strictEqual(rejected.stdout, "")
    assert.strictEqual(
      rejected.stderr,
      "ringpool: The service rejected the row: InvalidKey: API Key '<redacted>' is not valid for resource '100'\n"
    )
    assert.strictEqual(unreachable.code, 2)
    assert.include(unreachable.stderr, "Could not reach the Bulk RingPool service")
  })

  it("exits 1 with one line when there is no key, or the row breaks a rule of the API", async () => {
    const [noKey, badPool] = await Promise.all([
      ringpool(["allocate", "--pool", "100", "--base-url", fake.url, "m1=autos"]),
      ringpool(["allocate", "--pool", "a/b", "--key", "k", "--base-url", fake.url, "m1=autos"])
    ])
    assert.strictEqual(noKey.code, 1)
    assert.strictEqual(noKey.stderr, "ringpool: no ring pool key: set RINGPOOL_KEY (or pass --key KEY)\n")
    assert.strictEqual(badPool.code, 1)
    assert.include(badPool.stderr, "may not contain '/'")
    assert.strictEqual(badPool.stderr.split("\n").length, 2)
  })
})

describe("ringpool suffix", () => {
  it("prints the api_suffix with the key masked, or shown with --show-key", async () => {
    const [masked, shown] = await Promise.all([
      ringpool(["suffix", "--pool", "12345", "m1=autos", "SMS Callback=true", "q=a&b"], {
        env: { RINGPOOL_KEY: "secret-key" }
      }),
      ringpool(["suffix", "--pool", "12345", "--key", "secret-key", "--show-key", "m1=autos"])
    ])
    // A masked suffix needs no key; the key itself does.
    const [keyless, showNoKey] = await Promise.all([
      ringpool(["suffix", "--pool", "12345", "m1=autos"]),
      ringpool(["suffix", "--pool", "12345", "--show-key", "m1=autos"])
    ])
    assert.strictEqual(keyless.code, 0, keyless.stderr)
    assert.strictEqual(keyless.stdout, "12345/allocate_number.json?ring_pool_key=<redacted>&m1=autos\n")
    assert.strictEqual(showNoKey.code, 1)
    assert.include(showNoKey.stderr, "--show-key shows the key: set RINGPOOL_KEY (or pass --key KEY)")
    assert.strictEqual(masked.code, 0)
    assert.strictEqual(
      masked.stdout,
      "12345/allocate_number.json?ring_pool_key=<redacted>&m1=autos&SMS%20Callback=true&q=a%26b\n"
    )
    assert.strictEqual(shown.code, 0)
    assert.strictEqual(shown.stdout, "12345/allocate_number.json?ring_pool_key=secret-key&m1=autos\n")
  })
})
