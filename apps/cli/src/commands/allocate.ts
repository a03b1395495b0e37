/**
 * `ringpool allocate`: one number for one row, printed as the API's own JSON fields.
 */
import { type Allocation, RingPoolClient } from "@ringpool/core"
import * as RingPoolNode from "@ringpool/core/node"
import { Effect, Option, Result } from "effect"
import { Command, Flag } from "effect/cli"
import * as ClientSettings from "../ClientSettings.ts"
import * as CliFailure from "../CliFailure.ts"
import * as Flags from "../Flags.ts"
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

export const command = Command.make(
  "allocate",
  {
    pool: Flags.pool,
    key: Flags.key,
    requestId: Flag.String("request-id").pipe(
      Flag.withMetavar("ID"),
      Flag.withDescription("Sent as the row's request_id and echoed back"),
      Flag.optional
    ),
    baseUrl: Flags.baseUrl,
    params: Flags.params
  },
  Effect.fnUntraced(function* ({ pool, key, requestId, baseUrl, params }) {
    const parsed = Params.parse(params)
    if (Result.isFailure(parsed)) return yield* CliFailure.usage(parsed.failure)
    const settings = yield* ClientSettings.resolve({ baseUrl, key })
    if (settings.resolved.defaultKey === undefined) {
      return yield* CliFailure.usage("no ring pool key: set RINGPOOL_KEY (or pass --key KEY)")
    }
    const request = { ringPoolId: pool, params: parsed.success, requestId: Option.getOrUndefined(requestId) }
    const allocation = yield* RingPoolClient.RingPoolClient.use((client) => client.allocate(request)).pipe(
      Effect.provide(RingPoolNode.layer(settings.options)),
      Effect.mapError((error) =>
        // Refused before any I/O: the row as written cannot be sent, which is a usage error, not a failed row.
        error.reason._tag === "InvalidRequest" ? CliFailure.usage(error.message) : CliFailure.rowsFailed(error.message)
      )
    )
    yield* Stdout.write(`${JSON.stringify(apiFields(allocation), null, 2)}\n`)
  })
).pipe(
  Command.withShortDescription("Allocate one number for one row and print it as JSON"),
  Command.withDescription(
    "Allocate one tracking number for one row and print it as JSON (request_id, promo_number, promo_number_formatted, tracking_url, overflow). A rejected row prints the service's error on stderr and exits 2."
  ),
  Command.withExamples([
    {
      command: "RINGPOOL_KEY=... ringpool allocate --pool 12345 m1=autos m2=ford",
      description: "One number for a visit"
    },
    {
      command: "ringpool allocate --pool 12345 --request-id visit-42 --base-url http://127.0.0.1:4010 m1=",
      description: "Against a fake server, with an empty parameter and a request id"
    }
  ])
)
