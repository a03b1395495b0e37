/**
 * `ringpool bulk`: a file of rows in, one result per row out, streamed.
 */
import { RingPoolClient } from "@ringpool/core"
import * as RingPoolNode from "@ringpool/core/node"
import { Effect, Option, Stream } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as BulkRun from "../bulk/BulkRun.ts"
import * as Progress from "../bulk/Progress.ts"
import * as Tally from "../bulk/Tally.ts"
import * as ClientSettings from "../ClientSettings.ts"
import * as CliFailure from "../CliFailure.ts"
import * as Flags from "../Flags.ts"
import type { UnreadableInput } from "../input/Decoder.ts"
import * as InputSource from "../input/InputSource.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Writer from "../output/Writer.ts"

export const command = Command.make(
  "bulk",
  {
    file: Argument.String("FILE").pipe(
      Argument.withDescription("Rows to allocate for; - (the default) reads standard input"),
      Argument.withDefault("-")
    ),
    inputFormat: Flag.Literals("input-format", InputSource.inputFormats).pipe(
      Flag.withDescription("Format of the rows (default: from the file's extension, .csv or .json; else ndjson)"),
      Flag.optional
    ),
    outputFormat: Flag.Literals("output-format", Writer.outputFormats).pipe(
      Flag.withDescription("Format of the results on stdout (default: ndjson)"),
      Flag.withDefault("ndjson")
    ),
    key: Flags.key,
    baseUrl: Flags.baseUrl,
    maxBatchSize: Flag.Int("max-batch-size").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription("Rows per bulk call at most (default: RINGPOOL_MAX_BATCH_SIZE, else 100)"),
      Flag.optional
    ),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withMetavar("N"),
      Flag.withDescription("Bulk calls in flight at once (default: RINGPOOL_MAX_IN_FLIGHT, else 8)"),
      Flag.optional
    )
  },
  Effect.fnUntraced(function* ({ file, inputFormat, outputFormat, key, baseUrl, maxBatchSize, concurrency }) {
    const settings = yield* ClientSettings.resolve({ baseUrl, key, maxBatchSize, concurrency })
    const format = InputSource.formatOf(file, Option.getOrUndefined(inputFormat))
    if (file === "-" && process.stdin.isTTY === true) {
      // Without a FILE the rows are read from the terminal: say so, or it looks like a hang.
      process.stderr.write(
        "ringpool bulk: reading rows from the terminal (Ctrl-D ends them); pass a FILE to read a file\n"
      )
    }
    const rows = yield* InputSource.rowsOf(file, format).pipe(
      Effect.mapError((error) => CliFailure.usage(error.message))
    )
    const writer = Writer.make(outputFormat)
    const tally = Tally.make()
    const progress = Progress.make()
    const started = Date.now()

    const summarize = (stats: RingPoolClient.ClientStats, note?: string) => {
      progress.clear()
      process.stderr.write(
        `${Tally.render(tally, stats, Date.now() - started)}\n${note === undefined ? "" : `  ${note}\n`}`
      )
    }

    const inputError = yield* Effect.gen(function* () {
      const client = yield* RingPoolClient.RingPoolClient
      yield* Stdout.write(writer.start)
      const inputError = yield* BulkRun.results(client, rows, {
        maxBatchSize: settings.resolved.maxBatchSize,
        concurrency: settings.resolved.maxInFlight
      }).pipe(
        Stream.runForEach((results) => {
          for (const result of results) Tally.add(tally, result)
          progress.update(tally)
          return Stdout.write(writer.rows(results))
        }),
        Effect.as(undefined),
        // Input found unreadable part way (text after a JSON document) still gets its results closed and its
        // summary, then exits 1.
        Effect.catchTag("UnreadableInput", (error: UnreadableInput) => Effect.succeed(error)),
        // Ctrl-C: what was written stays valid (a JSON array is closed) and the summary says how far it got.
        Effect.onInterrupt(() =>
          Effect.flatMap(client.stats, (stats) => {
            summarize(stats, "interrupted: rows after these may have been sent (and allocated), but are not shown")
            return Effect.ignore(Stdout.write(writer.end()))
          })
        )
      )
      yield* Stdout.write(writer.end())
      // Input refused before its first row (a CSV header without ring_pool_id) needs its one line, not a summary.
      if (inputError === undefined || tally.rows > 0) summarize(yield* client.stats)
      return inputError
    }).pipe(
      Effect.provide(RingPoolNode.layer(settings.options)),
      // The options were checked by ClientSettings.resolve; a failure to build the client is still the settings'.
      Effect.catchTag("RingPoolError", (error) => Effect.fail(CliFailure.usage(error.message)))
    )

    if (inputError !== undefined) return yield* CliFailure.usage(inputError.message)
    if (Tally.unsuccessful(tally) > 0) return yield* CliFailure.rowsFailed("")
  })
).pipe(
  Command.withShortDescription("Allocate a number for every row of a file; one result per row, in order"),
  Command.withDescription(
    [
      "Allocate a number for every row of a file (NDJSON, CSV or JSON) and write one result per row to stdout, in input order. Streams: memory stays flat for any file size.",
      'A row has ring_pool_id, optionally ring_pool_key (else --key / RINGPOOL_KEY) and request_id; every other field is a RingPool parameter. JSON input may also be the API\'s own body, {"requests":[{"api_suffix":...,"request_id":...}]}.',
      "A result has line (where the row starts in the input), outcome (allocated, rejected or failed), request_id, and promo_number, promo_number_formatted, tracking_url, overflow; or reason, error_class and message. A line that cannot be read is a failed row with reason InvalidInput; the rest still run.",
      "A summary goes to stderr (and progress, when stderr is a terminal). Exit 0: every row allocated; 1: bad usage or unreadable input; 2: at least one row rejected or failed."
    ].join("\n\n  ")
  ),
  Command.withExamples([
    {
      command: "ringpool bulk rows.ndjson > results.ndjson",
      description: 'Rows like {"ring_pool_id":"12345","m1":"autos"}'
    },
    {
      command: "ringpool bulk rows.csv --output-format csv > results.csv",
      description: "CSV with a header: ring_pool_id,request_id,m1,m2 (optional ring_pool_key column)"
    },
    {
      command: "cat body.json | ringpool bulk - --input-format json",
      description: 'The API\'s own {"requests":[{"api_suffix":...}]} body'
    },
    {
      command: "ringpool bulk big.ndjson --max-batch-size 200 --concurrency 4",
      description: "Bigger bulk calls, fewer at once"
    }
  ])
)
