/**
 * `ringpool bulk`: a file of rows in, one result per row out, streamed.
 */
import * as CommandSpec from "../cli/CommandSpec.ts"
import * as Flags from "../Flags.ts"

export const inputFormats = ["ndjson", "csv", "json"] as const
export type InputFormat = (typeof inputFormats)[number]
export const outputFormats = ["ndjson", "csv", "json"] as const
export type OutputFormat = (typeof outputFormats)[number]

export const flags = {
  inputFormat: {
    kind: "choice",
    choices: inputFormats,
    metavar: "ndjson|csv|json",
    description: "Format of the rows (default: from the file's extension, .csv or .json; else ndjson)"
  },
  outputFormat: {
    kind: "choice",
    choices: outputFormats,
    metavar: "ndjson|csv|json",
    description: "Format of the results (default: ndjson)"
  },
  output: {
    kind: "string",
    metavar: "FILE",
    description:
      "Write the results to FILE instead of stdout, so that a crash or Ctrl-C leaves FILE holding complete results only, and the run can be resumed (FILE.ledger records it)"
  },
  resume: {
    kind: "boolean",
    description:
      "With --output: continue the run FILE holds, after its last result. Rows with a result in FILE are not sent again"
  },
  dryRun: {
    kind: "boolean",
    description:
      "Check every row and write the api_suffix it would be sent with (key masked), one result per row; send nothing"
  },
  key: Flags.key,
  baseUrl: Flags.baseUrl,
  maxBatchSize: {
    kind: "integer",
    metavar: "N",
    range: [1, 10_000],
    description: "Rows per bulk call at most (default: RINGPOOL_MAX_BATCH_SIZE, else 100)"
  },
  concurrency: {
    kind: "integer",
    metavar: "N",
    range: [1, 1_000],
    description: "Bulk calls in flight at once (default: RINGPOOL_MAX_IN_FLIGHT, else 8)"
  }
} as const

export type Input = CommandSpec.Input<typeof flags>

export const command = CommandSpec.define({
  name: "bulk",
  summary: "Allocate a number for every row of a file; one result per row, in order",
  description: [
    "Allocate a number for every row of a file (NDJSON, CSV or JSON) and write one result per row, in input order. Streams: memory stays flat for any file size.",
    'A row has ring_pool_id, optionally ring_pool_key (else --key / RINGPOOL_KEY) and request_id; every other field is a RingPool parameter. JSON input may also be the API\'s own body, {"requests":[{"api_suffix":...,"request_id":...}]}.',
    "A result has line (where the row starts in the input), outcome (allocated, rejected or failed), request_id, and promo_number, promo_number_formatted, tracking_url, overflow; or reason, error_class and message. A line that cannot be read is a failed row with reason InvalidInput; the rest still run.",
    "Long runs: with --output FILE, a run that dies (a crash, a kill, Ctrl-C) continues with the same command and --resume; only the rows that were in flight when it died can be sent twice, and the summary says how many.",
    "A summary goes to stderr (and progress, when stderr is a terminal). Exit 0: every row allocated (with --dry-run: every row valid); 1: bad usage or unreadable input; 2: at least one row rejected or failed (invalid)."
  ],
  flags,
  argument: {
    name: "FILE",
    arity: "optional",
    description: "Rows to allocate for; - (the default) reads standard input"
  },
  examples: [
    {
      command: "ringpool bulk rows.ndjson > results.ndjson",
      description: 'Rows like {"ring_pool_id":"12345","m1":"autos"}'
    },
    {
      command: "ringpool bulk rows.csv --output-format csv > results.csv",
      description: "CSV with a header: ring_pool_id,request_id,m1,m2 (optional ring_pool_key column)"
    },
    {
      command: "ringpool bulk big.ndjson --output results.ndjson",
      description: "A long run; if it dies, the same command with --resume continues it"
    },
    {
      command: "ringpool bulk rows.csv --dry-run",
      description: "Check a file: every row's api_suffix (key masked), nothing sent"
    },
    {
      command: "cat body.json | ringpool bulk - --input-format json",
      description: 'The API\'s own {"requests":[{"api_suffix":...}]} body'
    },
    {
      command: "ringpool bulk big.ndjson --max-batch-size 200 --concurrency 4",
      description: "Bigger bulk calls, fewer at once"
    }
  ],
  run: async (input) => (await import("../run/bulk.ts")).run(input)
})
