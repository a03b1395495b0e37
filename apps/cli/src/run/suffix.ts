/**
 * What `ringpool suffix` does: builds the row's `api_suffix` with the core, exactly as a bulk call builds it.
 *
 * Masked as `--dry-run` masks it: the `ring_pool_key` value, and any piece of the key elsewhere (a pool id or a
 * parameter that holds it by mistake). A masked suffix shows no key, so it needs none: without one, the suffix is
 * built with a stand-in that the mask hides. Only `--show-key` needs the key itself.
 */
import { AllocationRequest, ApiSuffix, RingPoolError } from "@ringpool/core"
import * as CliFailure from "../CliFailure.ts"
import type { Input } from "../commands/suffix.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Params from "../Params.ts"
import * as Secrets from "../Secrets.ts"

const standIn = "ringpool-suffix-key"

export const run = async ({ flags, args }: Input): Promise<number> => {
  const params = Params.parse(args)
  const fromEnv = process.env.RINGPOOL_KEY
  const key = flags.key ?? (fromEnv === "" ? undefined : fromEnv)
  if (key === undefined && flags.showKey) {
    throw CliFailure.usage("--show-key shows the key: set RINGPOOL_KEY (or pass --key KEY)")
  }
  const valid = AllocationRequest.validate({ ringPoolId: flags.pool, ringPoolKey: key ?? standIn, params })
  if (valid instanceof RingPoolError.RingPoolError) throw CliFailure.usage(valid.message)
  const suffix = ApiSuffix.make(valid)
  // Masked of every key the process was given: `RINGPOOL_KEY` too when `--key` overrides it.
  const shown = flags.showKey ? suffix : Secrets.mask(suffix)
  await Stdout.write(`${shown}\n`)
  return 0
}
