import { Redacted } from "effect"
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
      let message = ""
      try {
        ClientOptions.fromEnv()
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toBe(
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

  it("refuses a base URL with a password or a query, never quoting a password or a token", () => {
    for (const url of ["https://user:hunter2pass@pnapi.example", "HTTPS://hunter2pass@pnapi.example"]) {
      expect(() => ClientOptions.resolve({ baseUrl: url })).toThrow(
        "ringpool: baseUrl may not hold a user name or password (user:password@)"
      )
    }
    for (const url of ["http://127.0.0.1:4020/?token=hunter2pass", "http://127.0.0.1:4020#hunter2pass"]) {
      expect(() => ClientOptions.resolve({ baseUrl: url })).toThrow("it may not have a ?query or #fragment")
    }
    // Refused for another reason first (no host, a bad port, a space, another scheme): still not quoted.
    for (const url of [
      "https://user:hunter2pass@",
      "https://user:hunter2pass@host:99999",
      " https://user:hunter2pass@host",
      "ftp://user:hunter2pass@host",
      "https://user:hunter2/pass@host"
    ]) {
      let message = ""
      try {
        ClientOptions.resolve({ baseUrl: url })
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toMatch(/^ringpool: baseUrl/)
      expect(message).not.toContain("hunter2")
    }
    expect(ClientOptions.resolve({ baseUrl: "HTTP://127.0.0.1:4020" }).bulkUrl).toBe(
      "HTTP://127.0.0.1:4020/api/2013-07-01/bulk.json"
    )
    expect(ClientOptions.resolve({ baseUrl: "http://127.0.0.1:4020/prefix/" }).bulkUrl).toBe(
      "http://127.0.0.1:4020/prefix/api/2013-07-01/bulk.json"
    )
  })

  it("refuses a default key a row's key would be refused for: not a string, too long, not well-formed", () => {
    expect(() => ClientOptions.resolve({ defaultKey: 12345 as unknown as string })).toThrow(
      "ringpool: defaultKey must be a string (or a Redacted string), got 12345"
    )
    expect(() => ClientOptions.resolve({ defaultKey: Redacted.make(process.env.NO_SUCH_VARIABLE) as never })).toThrow(
      "ringpool: defaultKey must be a string (or a Redacted string), got a Redacted undefined"
    )
    expect(() => ClientOptions.resolve({ defaultKey: "k".repeat(257) })).toThrow("longer than 256 characters")
    expect(() => ClientOptions.resolve({ defaultKey: Redacted.make("key\ud800") })).toThrow("not well-formed Unicode")
  })

  it("says what a number option got, whatever it is", () => {
    expect(() => ClientOptions.resolve({ maxBatchSize: 10n as never })).toThrow("got 10n")
    expect(() => ClientOptions.resolve({ maxBatchSize: Number.NaN })).toThrow("got NaN")
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(() => ClientOptions.resolve({ maxBatchSize: circular as never })).toThrow("got a object")
  })
})
