/**
 * `ringpool allocate`: one number for one row, printed as the API's own JSON fields.
 */
import * as CommandSpec from "../cli/CommandSpec.ts"
import * as Flags from "../Flags.ts"

export const flags = {
  pool: Flags.pool,
  key: Flags.key,
  requestId: {
    kind: "string",
    metavar: "ID",
    description: "Sent as the row's request_id and echoed back"
  },
  baseUrl: Flags.baseUrl
} as const

export type Input = CommandSpec.Input<typeof flags>

export const command = CommandSpec.define({
  name: "allocate",
  summary: "Allocate one number for one row and print it as JSON",
  description: [
    "Allocate one tracking number for one row and print it as JSON (request_id, promo_number, promo_number_formatted, tracking_url, overflow). A rejected row prints the service's error on stderr and exits 2."
  ],
  flags,
  argument: Flags.params,
  examples: [
    {
      command: "RINGPOOL_KEY=... ringpool allocate --pool 12345 m1=autos m2=ford",
      description: "One number for a visit"
    },
    {
      command: "ringpool allocate --pool 12345 --request-id visit-42 --base-url http://127.0.0.1:4010 m1=",
      description: "Against a fake server, with an empty parameter and a request id"
    }
  ],
  run: async (input) => (await import("../run/allocate.ts")).run(input)
})
