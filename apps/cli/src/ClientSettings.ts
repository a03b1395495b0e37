/**
 * The client's options for a command: its flags over the environment (`RINGPOOL_*`) over the core's defaults,
 * checked once, up front, so that a wrong setting is a usage error (exit 1) before any row is read.
 */
import { ClientOptions } from "@ringpool/core"
import { Effect, type Option, type Redacted } from "effect"
import * as CliFailure from "./CliFailure.ts"

export interface ClientFlags {
  readonly baseUrl?: Option.Option<string>
  readonly key?: Option.Option<Redacted.Redacted<string>>
  readonly maxBatchSize?: Option.Option<number>
  readonly concurrency?: Option.Option<number>
}

export interface ClientSettings {
  /** What to build the client with. */
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
  [/\btimeoutMs\b/, "RINGPOOL_TIMEOUT_MS"]
]

const inUserTerms = (message: string) =>
  labels.reduce((text, [name, label]) => text.replace(name, label), message.replace(/^ringpool: /, ""))

const positive = (name: string, value: Option.Option<number>) =>
  value._tag === "Some" && (!Number.isSafeInteger(value.value) || value.value < 1)
    ? Effect.fail(CliFailure.usage(`--${name} must be a positive integer, got ${value.value}`))
    : Effect.void

export const resolve = (flags: ClientFlags): Effect.Effect<ClientSettings, CliFailure.CliFailure> =>
  Effect.gen(function* () {
    if (flags.maxBatchSize !== undefined) yield* positive("max-batch-size", flags.maxBatchSize)
    if (flags.concurrency !== undefined) yield* positive("concurrency", flags.concurrency)
    const fromEnv = yield* ClientOptions.config.pipe(
      Effect.mapError((error) => {
        // e.g. `SchemaError(Expected a string representing a finite number\n  at ["RINGPOOL_MAX_IN_FLIGHT"])`
        const text = error.message.replace(/\s+/g, " ")
        const variable = /\["(RINGPOOL_\w+)"\]/.exec(text)?.[1]
        const reason = text.replace(/^\w+\((.*)\)$/, "$1").replace(/ at \[.*\]$/, "")
        return CliFailure.usage(
          variable === undefined ? `invalid environment: ${reason}` : `${variable} is not valid: ${reason}`
        )
      })
    )
    const options: { -readonly [K in keyof ClientOptions.ClientOptions]: ClientOptions.ClientOptions[K] } = {
      ...fromEnv
    }
    if (flags.baseUrl?._tag === "Some") options.baseUrl = flags.baseUrl.value
    if (flags.key?._tag === "Some") options.defaultKey = flags.key.value
    if (flags.maxBatchSize?._tag === "Some") options.maxBatchSize = flags.maxBatchSize.value
    if (flags.concurrency?._tag === "Some") options.maxInFlight = flags.concurrency.value
    const resolved = yield* Effect.try({
      try: () => ClientOptions.resolve(options),
      catch: (error) => CliFailure.usage(inUserTerms((error as Error).message))
    })
    return { options, resolved }
  })
