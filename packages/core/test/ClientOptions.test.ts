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

  it("reads a value with spaces around it as the value, and one set to nothing as not set", () => {
    process.env.RINGPOOL_MAX_BATCH_SIZE = " 10 "
    process.env.RINGPOOL_TIMEOUT_MS = "\t250\n"
    process.env.RINGPOOL_MAX_IN_FLIGHT = ""
    process.env.RINGPOOL_BASE_URL = "  "
    const options = ClientOptions.fromEnv()
    expect(options).toMatchObject({ maxBatchSize: 10, timeoutMs: 250 })
    expect(options.maxInFlight).toBeUndefined()
    expect(options.baseUrl).toBeUndefined()
  })

  it("says what to write for a number that is not one", () => {
    for (const value of ["abc", "1e3", "-5", "2.5"]) {
      process.env.RINGPOOL_MAX_BATCH_SIZE = value
      expect(() => ClientOptions.fromEnv()).toThrow(
        `ringpool: RINGPOOL_MAX_BATCH_SIZE must be a whole number such as 100, got ${JSON.stringify(value)}`
      )
    }
  })
})

describe("ClientOptions.resolve", () => {
  it("refuses a time longer than a Node timer can wait, which would fire at once", () => {
    expect(() => ClientOptions.resolve({ timeoutMs: 3_000_000_000 })).toThrow(
      "ringpool: timeoutMs must be an integer from 1 to 2147483647, got 3000000000"
    )
    expect(ClientOptions.resolve({ timeoutMs: 2_147_483_647 }).timeoutMs).toBe(2_147_483_647)
    expect(() => ClientOptions.resolve({ retry: { maxDelayMs: 2 ** 31 } })).toThrow(/retry.maxDelayMs/)
  })

  it("refuses a base URL with a password or a query, without quoting the password", () => {
    for (const url of ["https://user:hunter2pass@pnapi.example", "https://hunter2pass@pnapi.example"]) {
      const attempt = () => ClientOptions.resolve({ baseUrl: url })
      expect(attempt).toThrow("ringpool: baseUrl may not hold a user name or password (user:password@)")
      expect(() => attempt()).not.toThrow(/hunter2/)
    }
    for (const url of ["http://127.0.0.1:4020/?x=1", "http://127.0.0.1:4020#top"]) {
      expect(() => ClientOptions.resolve({ baseUrl: url })).toThrow("it may not have a ?query or #fragment")
    }
    expect(ClientOptions.resolve({ baseUrl: "http://127.0.0.1:4020/prefix/" }).bulkUrl).toBe(
      "http://127.0.0.1:4020/prefix/api/2013-07-01/bulk.json"
    )
  })

  it("refuses a default key that is neither a string nor a Redacted string", () => {
    expect(() => ClientOptions.resolve({ defaultKey: 12345 as unknown as string })).toThrow(
      "ringpool: defaultKey must be a string (or a Redacted string), got a number"
    )
  })
})
