/**
 * What `ringpool suffix` does: builds the row's `api_suffix` with the core, exactly as a bulk call builds it.
 */
import { AllocationRequest, ApiSuffix, RingPoolError } from "@ringpool/core"
import * as CliFailure from "../CliFailure.ts"
import type { Input } from "../commands/suffix.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Params from "../Params.ts"

export const run = async ({ flags, args }: Input): Promise<number> => {
  const params = Params.parse(args)
  const fromEnv = process.env.RINGPOOL_KEY
  const ringPoolKey = flags.key ?? (fromEnv === "" ? undefined : fromEnv)
  if (ringPoolKey === undefined) throw CliFailure.usage("no ring pool key: set RINGPOOL_KEY (or pass --key KEY)")
  const valid = AllocationRequest.validate({ ringPoolId: flags.pool, ringPoolKey, params })
  if (valid instanceof RingPoolError.RingPoolError) throw CliFailure.usage(valid.message)
  const suffix = ApiSuffix.make(valid)
  await Stdout.write(`${flags.showKey ? suffix : ApiSuffix.mask(suffix)}\n`)
  return 0
}
