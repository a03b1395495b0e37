/**
 * Options of a client, their defaults, and the environment they can come from.
 *
 * Undocumented points decided here (the API documents none of them):
 * - `maxBatchSize` 100: the largest bulk call is not documented; 100 rows is a modest body (~15 KB) that any
 *   sane server limit admits, and beyond it the gain per row is small. Raise it once Invoca confirms a limit.
 * - `maxInFlight` 8: open bulk calls at once, so also the size of the keep-alive connection pool.
 * - `timeoutMs` 5,000 per bulk call: the service is meant to answer in milliseconds; a page or a file run
 *   should learn of an outage in seconds, not the 30 s of older clients.
 * - Retry: only what cannot have allocated twice (a connection refused before sending; 502/503/504, which
 *   gateways answer without reaching the application, and 429), 2 retries, 50 ms doubling to at most 1 s, with
 *   jitter.
 * - `maxResponseBytes` 4 MiB per answer: a 100-row answer is about 20 KB, so this admits 1,000-row calls with
 *   4 KB rows, while `maxInFlight` x 4 MiB (32 MiB by default) bounds what a hostile or broken server can make the
 *   client hold, however large or endless its answer (and however intricate: see `bulkCall`'s shape check).
 *
 * @since 0.1.0
 */
import { Cause, Config, ConfigProvider, Effect, Exit, Option, Redacted } from "effect"
import { maxKeyChars } from "./AllocationRequest.ts"
import * as BulkProtocol from "./BulkProtocol.ts"
import type { RetrySettings } from "./internal/bulkCall.ts"
import type * as RingPoolError from "./RingPoolError.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  readonly times?: number | undefined
  /** First backoff (default 50 ms), doubled each retry, with jitter. */
  readonly baseDelayMs?: number | undefined
  /** Backoff cap (default 1,000 ms). */
  readonly maxDelayMs?: number | undefined
  /** Which whole-call failures to retry (default: `reason.retryable`). A row's own error is never retried. */
  readonly retryOn?: ((reason: RingPoolError.Reason) => boolean) | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** Default `https://pnapi.invoca.net`. */
  readonly baseUrl?: string | undefined
  /** Default `2013-07-01`, the only version documented for bulk. */
  readonly apiVersion?: string | undefined
  /** Rows per bulk call at most (default 100). */
  readonly maxBatchSize?: number | undefined
  /** Bulk calls open at once at most (default 8). */
  readonly maxInFlight?: number | undefined
  /** Budget of one bulk call in milliseconds (default 5,000). */
  readonly timeoutMs?: number | undefined
  /** The largest answer read, in bytes (default 4 MiB); a bigger one fails its call's rows with `InvalidResponse`. */
  readonly maxResponseBytes?: number | undefined
  /** `false` turns retries off. */
  readonly retry?: RetryOptions | false | undefined
  /** The key of requests that carry none (`RINGPOOL_KEY`). */
  readonly defaultKey?: string | Redacted.Redacted<string> | undefined
}

/**
 * Options with every default applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly bulkUrl: string
  readonly maxBatchSize: number
  readonly maxInFlight: number
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly retry: RetrySettings | undefined
  readonly defaultKey: Redacted.Redacted<string> | undefined
}

const known = new Set([
  "baseUrl",
  "apiVersion",
  "maxBatchSize",
  "maxInFlight",
  "timeoutMs",
  "maxResponseBytes",
  "retry",
  "defaultKey"
])

/**
 * The longest time a Node timer waits: past it, Node fires the timer at once (with a warning), so a budget of a
 * billion seconds would time every call out before its answer, after the service had spent its numbers.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTimerMs = 2_147_483_647

/** A value as a message shows it: numbers as written (`NaN`, `10n`), a string quoted, anything else by its type. */
const shown = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.slice(0, 40))
    : typeof value === "number" || typeof value === "bigint" || typeof value === "boolean"
      ? `${value}${typeof value === "bigint" ? "n" : ""}`
      : value === null
        ? "null"
        : `a ${typeof value}`

const positiveInteger = (name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? "a positive integer" : `an integer from 1 to ${max}`
    throw new TypeError(`ringpool: ${name} must be ${range}, got ${shown(value)}`)
  }
  return value
}

/**
 * A URL is quoted in a refusal only when it cannot hold a secret: not with `@` (a password), `?` or `#` (a query's
 * token), nor past 200 characters.
 */
const quotable = (url: string): string =>
  /[@?#]/.test(url) || url.length > 200 ? "(not shown: it may hold a password or a token)" : JSON.stringify(url)

/**
 * Applies the defaults and checks every option; a wrong one throws a `TypeError` that says what to write.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: ClientOptions = {}): ResolvedOptions => {
  for (const name of Object.keys(options)) {
    if (!known.has(name))
      throw new TypeError(`ringpool: unknown option ${JSON.stringify(name)}; known: ${[...known].join(", ")}`)
  }
  const given = options.baseUrl ?? BulkProtocol.defaultBaseUrl
  if (typeof given !== "string") {
    throw new TypeError(
      `ringpool: baseUrl must be an http(s) URL such as https://pnapi.invoca.net, got ${shown(given)}`
    )
  }
  const baseUrl = given.replace(/\/+$/, "")
  if (!/^https?:\/\/[^/]+/i.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new TypeError(
      `ringpool: baseUrl must be an http(s) URL such as https://pnapi.invoca.net, got ${quotable(baseUrl)}`
    )
  }
  const parsed = new URL(baseUrl)
  // In the URL they would be shown wherever the URL is (messages, spans, logs, the CLI's ledger).
  if (parsed.username !== "" || parsed.password !== "") {
    throw new TypeError(
      "ringpool: baseUrl may not hold a user name or password (user:password@): they would be shown wherever the URL is"
    )
  }
  // The bulk path is added after it: `https://host/?x=1` would become `https://host/?x=1/api/...`.
  if (baseUrl.includes("?") || baseUrl.includes("#")) {
    throw new TypeError(
      "ringpool: baseUrl is where the API's paths start (such as https://pnapi.invoca.net): it may not have a ?query or #fragment"
    )
  }
  const apiVersion = options.apiVersion ?? BulkProtocol.defaultApiVersion
  if (!/^[\w.-]+$/.test(apiVersion)) throw new TypeError(`ringpool: apiVersion must look like 2013-07-01`)
  const retry = options.retry
  const key = options.defaultKey
  // Checked as a row's own key is: every answer is masked of it, so a key that cannot be masked must not get in.
  const keyText: unknown = Redacted.isRedacted(key) ? Redacted.value(key as Redacted.Redacted<unknown>) : key
  if (key !== undefined) {
    if (typeof keyText !== "string") {
      throw new TypeError(
        `ringpool: defaultKey must be a string (or a Redacted string), got ${Redacted.isRedacted(key) ? `a Redacted ${keyText === undefined ? "undefined" : shown(keyText)}` : shown(keyText)}`
      )
    }
    if (keyText.length > maxKeyChars) {
      throw new TypeError(`ringpool: defaultKey is longer than ${maxKeyChars} characters: that is not a ring pool key`)
    }
    if (!keyText.isWellFormed())
      throw new TypeError("ringpool: defaultKey is not well-formed Unicode (a lone surrogate)")
  }
  return {
    bulkUrl: `${baseUrl}${BulkProtocol.bulkPath(apiVersion)}`,
    maxBatchSize: positiveInteger("maxBatchSize", options.maxBatchSize, 100),
    maxInFlight: positiveInteger("maxInFlight", options.maxInFlight, 8),
    timeoutMs: positiveInteger("timeoutMs", options.timeoutMs, 5_000, maxTimerMs),
    maxResponseBytes: positiveInteger("maxResponseBytes", options.maxResponseBytes, 4 * 1024 * 1024),
    retry:
      retry === false
        ? undefined
        : {
            times: retry?.times === 0 ? 0 : positiveInteger("retry.times", retry?.times, 2),
            baseDelayMs: positiveInteger("retry.baseDelayMs", retry?.baseDelayMs, 50, maxTimerMs),
            maxDelayMs: positiveInteger("retry.maxDelayMs", retry?.maxDelayMs, 1_000, maxTimerMs),
            retryOn: retry?.retryOn ?? ((reason) => reason.retryable)
          },
    defaultKey: key === undefined || key === "" ? undefined : typeof key === "string" ? Redacted.make(key) : key
  }
}

const configError = (message: string) => new Config.ConfigError(new ConfigProvider.SourceError({ message }))

/** What is wrong with a whole number variable's value, in words that say what to write; undefined when nothing is. */
const wholeNumberProblem = (name: string, example: string, value: string): string | undefined =>
  /^\d+$/.test(value)
    ? undefined
    : `ringpool: ${name} must be a whole number such as ${example}, got ${JSON.stringify(value.slice(0, 40))}`

/**
 * A variable as `fromEnv` reads it: spaces around it ignored (a key file's last newline is not part of the key), and
 * set to nothing read as not set.
 */
const optionalText = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.String(name)).pipe(
    Config.map((given) =>
      Option.filter(
        Option.map(given, (value) => value.trim()),
        (value) => value !== ""
      )
    )
  )

/**
 * A whole number variable as `fromEnv` reads it: digits only (not `1e3` or `2.5`, which `Config.Int` takes), spaces
 * around it ignored, and set to nothing read as not set.
 */
const optionalWholeNumber = (name: string, example: string): Config.Config<Option.Option<number>> =>
  Config.option(Config.String(name)).pipe(
    Config.mapEffect((given) => {
      const value = Option.getOrUndefined(given)?.trim()
      if (value === undefined || value === "") return Effect.succeed(Option.none())
      const problem = wholeNumberProblem(name, example, value)
      return problem === undefined ? Effect.succeed(Option.some(Number(value))) : Effect.fail(configError(problem))
    })
  )

/**
 * The options from the environment: `RINGPOOL_BASE_URL`, `RINGPOOL_API_VERSION`, `RINGPOOL_KEY`,
 * `RINGPOOL_MAX_BATCH_SIZE`, `RINGPOOL_MAX_IN_FLIGHT`, `RINGPOOL_TIMEOUT_MS`, `RINGPOOL_MAX_RESPONSE_BYTES`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<ClientOptions> = Config.all({
  baseUrl: optionalText("RINGPOOL_BASE_URL"),
  apiVersion: optionalText("RINGPOOL_API_VERSION"),
  defaultKey: optionalText("RINGPOOL_KEY").pipe(Config.map(Option.map((key) => Redacted.make(key)))),
  maxBatchSize: optionalWholeNumber("RINGPOOL_MAX_BATCH_SIZE", "100"),
  maxInFlight: optionalWholeNumber("RINGPOOL_MAX_IN_FLIGHT", "8"),
  timeoutMs: optionalWholeNumber("RINGPOOL_TIMEOUT_MS", "5000"),
  maxResponseBytes: optionalWholeNumber("RINGPOOL_MAX_RESPONSE_BYTES", "4194304")
}).pipe(
  Config.map((values) => {
    const options: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(values) as Array<[string, Option.Option<unknown>]>) {
      if (Option.isSome(value)) options[name] = value.value
    }
    return options as ClientOptions
  })
)

/**
 * `options` as `config` read them, checked as a client checks its options: what is wrong (`RINGPOOL_MAX_BATCH_SIZE=0`)
 * fails as a `ConfigError` that says what to write, when the layer is built, not as every row's failure later.
 *
 * @since 0.1.0
 * @category config
 */
export const checked = (options: ClientOptions): Effect.Effect<ClientOptions, Config.ConfigError> =>
  Effect.try({
    try: () => {
      resolve(options)
      return options
    },
    catch: (error) => configError((error as Error).message)
  })

const variables = [
  "RINGPOOL_BASE_URL",
  "RINGPOOL_API_VERSION",
  "RINGPOOL_KEY",
  "RINGPOOL_MAX_BATCH_SIZE",
  "RINGPOOL_MAX_IN_FLIGHT",
  "RINGPOOL_TIMEOUT_MS",
  "RINGPOOL_MAX_RESPONSE_BYTES"
] as const

/**
 * The `RINGPOOL_*` variables as set now, without the spaces around them; one set to nothing (`RINGPOOL_KEY=`) is not
 * set, as a shell script that clears a variable means.
 */
const ringpoolEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const name of variables) {
    const value = process.env[name]?.trim()
    if (value !== undefined && value !== "") env[name] = value
  }
  return env
}

/**
 * The given options over the environment's (`RINGPOOL_*`): an option left out, or `undefined`, comes from the
 * environment; one given wins. The environment is read now, not from a cached copy of an earlier `process.env`.
 * A malformed variable throws a `TypeError` naming it.
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv = (overrides: ClientOptions = {}): ClientOptions => {
  const env = ringpoolEnv()
  const read = Effect.runSyncExit(config.parse(ConfigProvider.fromEnv({ env })))
  if (Exit.isFailure(read)) {
    const detail = String((Cause.squash(read.cause) as Error).message)
      .replace(/\s+/g, " ")
      .replace(/^SourceError: /, "")
    // Ours say what to write already (`RINGPOOL_MAX_BATCH_SIZE must be a whole number such as 100`).
    throw new TypeError(
      detail.startsWith("ringpool: ") ? detail : `ringpool: the RINGPOOL_* environment is not valid: ${detail}`
    )
  }
  return withOverrides(read.value, overrides)
}

/**
 * `base` with every option that `overrides` gives (not `undefined`) on top.
 *
 * @since 0.1.0
 * @category config
 */
export const withOverrides = (base: ClientOptions, overrides: ClientOptions): ClientOptions => {
  const merged: Record<string, unknown> = { ...base }
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) merged[name] = value
  return merged as ClientOptions
}
