/**
 * What `ringpool allocate` does: one row, one bulk call, the allocation printed under the API's own field names.
 */
import { type Allocation, createRingPoolClient, RingPoolError } from "@ringpool/core"
import * as ClientSettings from "../ClientSettings.ts"
import * as CliFailure from "../CliFailure.ts"
import type { Input } from "../commands/allocate.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Params from "../Params.ts"

/** The allocation under the API's field names; `overflow` always present, so scripts need not test for its absence. */
const apiFields = (allocation: Allocation.Allocation) => ({
  ...(allocation.requestId === undefined ? {} : { request_id: allocation.requestId }),
  promo_number: allocation.promoNumber,
  promo_number_formatted: allocation.promoNumberFormatted,
  ...(allocation.trackingUrl === undefined ? {} : { tracking_url: allocation.trackingUrl }),
  overflow: allocation.overflow
})

export const run = async ({ flags, args }: Input): Promise<number> => {
  const params = Params.parse(args)
  const settings = ClientSettings.resolve({ baseUrl: flags.baseUrl, key: flags.key })
  if (settings.resolved.defaultKey === undefined) {
    throw CliFailure.usage("no ring pool key: set RINGPOOL_KEY (or pass --key KEY)")
  }
  const client = createRingPoolClient(settings.options)
  try {
    const allocation = await client.allocate({ ringPoolId: flags.pool, params, requestId: flags.requestId })
    await Stdout.write(`${JSON.stringify(apiFields(allocation), null, 2)}\n`)
    return 0
  } catch (error) {
    if (!(error instanceof RingPoolError.RingPoolError)) throw error
    // Refused before any I/O: the row as written cannot be sent, which is a usage error, not a failed row.
    throw error.reason._tag === "InvalidRequest"
      ? CliFailure.usage(error.message)
      : CliFailure.rowsFailed(error.message)
  } finally {
    await client.close()
  }
}
