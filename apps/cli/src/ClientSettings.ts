/**
 * The client's options for a command: its flags over the environment (`RINGPOOL_*`) over the core's defaults,
 * checked once, up front, so that a wrong setting is a usage error (exit 1) before any row is read, with a message
 * in the user's terms (the flag or the variable, and what to write).
 */
import { AllocationRequest, ClientOptions } from "@ringpool/core"
import * as CliFailure from "./CliFailure.ts"

export interface ClientFlags {
  readonly baseUrl?: string | undefined
  readonly key?: string | undefined
  readonly maxBatchSize?: number | undefined
  readonly concurrency?: number | undefined
}

export interface ClientSettings {
  /** What to build the client with: everything the flags and the environment say, nothing left to the core. */
  readonly options: ClientOptions.ClientOptions
  /** The same, with every default applied. */
  readonly resolved: ClientOptions.ResolvedOptions
}

// The core names its options as code does; a user of the command knows them by flag and variable.
const labels: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bbaseUrl\b/, "--base-url / RINGPOOL_BASE_URL"],
  [/\bapiVersion\b/, "RINGPOOL_API_VERSION"],
  [/\bmaxBatchSize\b/, "--max-batch-size / RINGPOOL_MAX_BATCH_SIZE"],
  [/\bmaxInFlight\b/, "--concurrency / RINGPOOL_MAX_IN_FLIGHT"],
  [/\btimeoutMs\b/, "RINGPOOL_TIMEOUT_MS"],
  [/\bmaxResponseBytes\b/, "RINGPOOL_MAX_RESPONSE_BYTES"]
]

const inUserTerms = (message: string) =>
  labels.reduce((text, [name, label]) => text.replace(name, label), message.replace(/^ringpool: /, ""))

const integers = {
  RINGPOOL_MAX_BATCH_SIZE: "rows per bulk call, such as 100",
  RINGPOOL_MAX_IN_FLIGHT: "bulk calls at once, such as 8",
  RINGPOOL_TIMEOUT_MS: "milliseconds per bulk call, such as 5000",
  RINGPOOL_MAX_RESPONSE_BYTES: "bytes of one answer at most, such as 4194304"
} as const

/** A positive whole number from the environment; unset or empty is none. */
const fromEnv = (env: NodeJS.ProcessEnv, name: keyof typeof integers): number | undefined => {
  const text = env[name]?.trim()
  if (text === undefined || text === "") return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw CliFailure.usage(`${name} must be a positive whole number (${integers[name]}), got '${text}'`)
  }
  return value
}

const text = (value: string | undefined) => (value === undefined || value === "" ? undefined : value)

/** The options of the flags over `env`; throws a usage `CliFailure` naming the flag or variable that is wrong. */
export const resolve = (flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): ClientSettings => {
  const options: { -readonly [K in keyof ClientOptions.ClientOptions]: ClientOptions.ClientOptions[K] } = {}
  const baseUrl = flags.baseUrl ?? text(env.RINGPOOL_BASE_URL)
  if (baseUrl !== undefined) options.baseUrl = baseUrl
  const apiVersion = text(env.RINGPOOL_API_VERSION)
  if (apiVersion !== undefined) options.apiVersion = apiVersion
  const key = flags.key ?? text(env.RINGPOOL_KEY)
  if (key !== undefined && key.length > AllocationRequest.maxKeyChars) {
    throw CliFailure.usage(
      `--key / RINGPOOL_KEY is longer than ${AllocationRequest.maxKeyChars} characters: that is not a ring pool key`
    )
  }
  if (key !== undefined) options.defaultKey = key
  const maxBatchSize = flags.maxBatchSize ?? fromEnv(env, "RINGPOOL_MAX_BATCH_SIZE")
  if (maxBatchSize !== undefined) options.maxBatchSize = maxBatchSize
  const maxInFlight = flags.concurrency ?? fromEnv(env, "RINGPOOL_MAX_IN_FLIGHT")
  if (maxInFlight !== undefined) options.maxInFlight = maxInFlight
  const timeoutMs = fromEnv(env, "RINGPOOL_TIMEOUT_MS")
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs
  const maxResponseBytes = fromEnv(env, "RINGPOOL_MAX_RESPONSE_BYTES")
  if (maxResponseBytes !== undefined) options.maxResponseBytes = maxResponseBytes
  try {
    return { options, resolved: ClientOptions.resolve(options) }
  } catch (error) {
    throw CliFailure.usage(inUserTerms((error as Error).message))
  }
}
