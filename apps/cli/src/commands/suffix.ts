/**
 * `ringpool suffix`: the `api_suffix` a row would be sent with, built by the core exactly as a bulk call builds it.
 */
import { AllocationRequest, ApiSuffix, RingPoolError } from "@ringpool/core"
import { Config, Effect, Option, Result } from "effect"
import { Command, Flag } from "effect/cli"
import * as CliFailure from "../CliFailure.ts"
import * as Flags from "../Flags.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Params from "../Params.ts"

export const command = Command.make(
  "suffix",
  {
    pool: Flags.pool,
    key: Flags.key,
    showKey: Flag.Boolean("show-key").pipe(
      Flag.withDescription("Print the key itself instead of <redacted> (for pasting into a request you send by hand)"),
      Flag.withDefault(false)
    ),
    params: Flags.params
  },
  Effect.fnUntraced(function* ({ pool, key, showKey, params }) {
    const parsed = Params.parse(params)
    if (Result.isFailure(parsed)) return yield* CliFailure.usage(parsed.failure)
    const fromEnv = yield* Config.option(Config.Redacted("RINGPOOL_KEY")).pipe(
      Effect.mapError(() => CliFailure.usage("RINGPOOL_KEY is not valid"))
    )
    const ringPoolKey = Option.getOrUndefined(Option.orElse(key, () => fromEnv))
    if (ringPoolKey === undefined)
      return yield* CliFailure.usage("no ring pool key: set RINGPOOL_KEY (or pass --key KEY)")
    const valid = AllocationRequest.validate({ ringPoolId: pool, ringPoolKey, params: parsed.success })
    if (valid instanceof RingPoolError.RingPoolError) return yield* CliFailure.usage(valid.message)
    const suffix = ApiSuffix.make(valid)
    yield* Stdout.write(`${showKey ? suffix : ApiSuffix.mask(suffix)}\n`)
  })
).pipe(
  Command.withShortDescription("Show the api_suffix a row would be sent with (key masked)"),
  Command.withDescription(
    "Print the api_suffix a row would be sent with: parameters in order, percent-encoded. The key is shown as <redacted> unless --show-key."
  ),
  Command.withExamples([
    { command: "ringpool suffix --pool 12345 m1=autos 'SMS Callback=true'", description: "See how a row is encoded" },
    { command: "ringpool suffix --pool 12345 --show-key m1=autos", description: "The suffix with the key itself" }
  ])
)
