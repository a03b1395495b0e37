import { afterEach, describe, expect, it } from "vitest"
import { ClientOptions } from "../src/index.ts"

const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
})

describe("ClientOptions.fromEnv", () => {
  it("reads RINGPOOL_* as it is now, every time, under the overrides", () => {
    process.env.RINGPOOL_BASE_URL = "http://127.0.0.1:1"
    process.env.RINGPOOL_MAX_BATCH_SIZE = "7"
    expect(ClientOptions.fromEnv()).toMatchObject({ baseUrl: "http://127.0.0.1:1", maxBatchSize: 7 })
    process.env.RINGPOOL_BASE_URL = "http://127.0.0.1:2"
    expect(ClientOptions.fromEnv({ maxBatchSize: 3 })).toMatchObject({ baseUrl: "http://127.0.0.1:2", maxBatchSize: 3 })
  })

  it("names a malformed variable, and never shows the key", () => {
    process.env.RINGPOOL_KEY = "SECRET-ENV-KEY"
    process.env.RINGPOOL_TIMEOUT_MS = "soon"
    expect(() => ClientOptions.fromEnv()).toThrow(/RINGPOOL_TIMEOUT_MS/)
    try {
      ClientOptions.fromEnv()
    } catch (error) {
      expect(String(error)).not.toContain("SECRET-ENV-KEY")
    }
  })
})
