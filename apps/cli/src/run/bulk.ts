/**
 * What `ringpool bulk` does: settings checked, input opened, output prepared (stdout, a fresh FILE, or a resumed
 * one, locked for this run: `OutputLock`), the rows run through `BulkRun`, and the summary and exit code.
 *
 * Ctrl-C or SIGTERM: no further chunk is sent, the chunks in flight get their answers and their results are
 * written (a JSON array is closed), the summary says how far the run got, exit 130. A second signal exits at once;
 * with --output, FILE still holds complete rows only, and --resume continues.
 */
import { fstat, type Stats, statSync } from "node:fs"
import { stat } from "node:fs/promises"
import { createRingPoolClient } from "@ringpool/core"
import * as BulkRun from "../bulk/BulkRun.ts"
import * as DryRun from "../bulk/DryRun.ts"
import * as Ledger from "../bulk/Ledger.ts"
import * as Progress from "../bulk/Progress.ts"
import * as Resume from "../bulk/Resume.ts"
import * as Tally from "../bulk/Tally.ts"
import * as ClientSettings from "../ClientSettings.ts"
import * as CliFailure from "../CliFailure.ts"
import type { Input } from "../commands/bulk.ts"
import { type InputRow, invalid } from "../input/InputRow.ts"
import * as InputSource from "../input/InputSource.ts"
import { realPathOf } from "../output/BesideOutput.ts"
import * as OutputLock from "../output/OutputLock.ts"
import * as ResultRow from "../output/ResultRow.ts"
import * as Stdout from "../output/Stdout.ts"
import * as Writer from "../output/Writer.ts"
import * as Secrets from "../Secrets.ts"
import * as Signals from "../Signals.ts"

/**
 * Characters of rows in flight at most, all chunks together (a chunk gets its share): rows of a few hundred
 * characters never reach it, and rows of 1 MB go a few at a time instead of a thousand per call.
 */
const inFlightChars = 16 * 1024 * 1024

const refuseCombinations = (flags: Input["flags"], file: string) => {
  if (flags.resume && flags.output === undefined) {
    throw CliFailure.usage("--resume continues the run of an --output FILE: add the --output FILE that run wrote")
  }
  if (flags.resume && flags.dryRun) {
    throw CliFailure.usage("--dry-run sends nothing, so there is nothing to resume: leave out --resume")
  }
  if (flags.resume && file === "-") {
    throw CliFailure.usage(
      "--resume needs the input as a FILE: standard input cannot be checked against the run it continues"
    )
  }
  if (flags.output === "-" || flags.output === "") {
    throw CliFailure.usage("--output needs a file name (without --output, results go to stdout)")
  }
  // A device or a pipe (`/dev/stdout`, `/dev/null`) has no place for a ledger and a lock beside it.
  const target = flags.output === undefined ? undefined : statOrUndefined(flags.output)
  if (target !== undefined && !target.isFile() && !target.isDirectory()) {
    throw CliFailure.usage(
      `--output ${flags.output} is not a plain file (a device or a pipe): --output writes a FILE it can resume; for standard output, leave it out`
    )
  }
}

const statOrUndefined = (path: string) => {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

export const run = async (input: Input): Promise<number> => {
  // Flags that do not go together are refused before any lock is taken: their line says what to fix, whoever runs.
  refuseCombinations(input.flags, input.args[0] ?? "-")
  const output = input.flags.output
  if (output === undefined) return runBulk(input)
  const lock = OutputLock.acquire(output)
  try {
    return await runBulk(input)
  } finally {
    lock.release()
  }
}

/**
 * The output must not be the input (by any name: a link, another path): writing it would destroy the rows. Nor may
 * it be named as another run's ledger or lock (`FILE.ledger`, `FILE.lock`): results written there would destroy the
 * record that run's `--resume` needs, or its lock.
 */
const refuseOutputOverInput = async (input: string, output: string | undefined) => {
  if (output === undefined) return
  // By its name or through a link to one.
  const kept = /\.(ledger|lock)$/.exec(output)?.[0] ?? /\.(ledger|lock)$/.exec(realPathOf(output))?.[0]
  if (kept !== undefined) {
    throw CliFailure.usage(
      `--output ${output}: a name ending in ${kept} is where ringpool bulk keeps another FILE's ${kept.slice(1)}; write the results to another name`
    )
  }
  // Standard input redirected from FILE (`- --output FILE < FILE`) is FILE as much as its name is.
  const inputStat =
    input === "-"
      ? await new Promise<Stats | undefined>((resolve) => fstat(0, (error, info) => resolve(error ? undefined : info)))
      : await stat(input).catch(() => undefined)
  if (inputStat === undefined) return
  const isInput = async (path: string) => {
    const info = await stat(path).catch(() => undefined)
    return info !== undefined && info.dev === inputStat.dev && info.ino === inputStat.ino
  }
  if (await isInput(output)) {
    throw CliFailure.usage(`--output ${output} is the input FILE: its rows would be overwritten; write to another file`)
  }
  const ledger = Ledger.pathOf(output)
  if (await isInput(ledger)) {
    throw CliFailure.usage(
      `--output ${output} keeps its ledger in ${ledger}, which is the input FILE: write the results to another name`
    )
  }
}

const runBulk = async ({ flags, args }: Input): Promise<number> => {
  const file = args[0] ?? "-"
  await refuseOutputOverInput(file, flags.output)
  const settings = ClientSettings.resolve(flags)
  const inputFormat = InputSource.formatOf(file, flags.inputFormat)
  const outputFormat = flags.outputFormat ?? "ndjson"
  const columns = flags.dryRun ? ResultRow.checkColumns : ResultRow.columns
  const { maxBatchSize, maxInFlight: concurrency } = settings.resolved

  if (file === "-" && process.stdin.isTTY === true) {
    // Without a FILE the rows are read from the terminal: say so, or it looks like a hang.
    process.stderr.write(
      "ringpool bulk: reading rows from the terminal (Ctrl-D ends them); pass a FILE to read a file\n"
    )
  }
  const source = await InputSource.open(file, inputFormat).catch((error: unknown) => {
    throw CliFailure.usage(error instanceof Error ? error.message : String(error))
  })

  const header: Ledger.Header = {
    ledger: "ringpool bulk",
    version: 1,
    input: file,
    inputFormat,
    outputFormat,
    service: settings.resolved.bulkUrl,
    reader: 2
  }
  const starting =
    flags.output === undefined
      ? undefined
      : flags.resume
        ? Resume.resume(flags.output, header, columns)
        : Writer.make(outputFormat, columns).then((writer) =>
            Resume.fresh(flags.output!, header, writer.start, !flags.dryRun)
          )
  // A refusal closes the input it opened (else Node closes it later, with a warning on stderr).
  const start = await starting?.catch((error: unknown) => {
    source.stop()
    throw error
  })
  if (flags.resume && start !== undefined) {
    const inFlight = start.inFlightThrough - start.rowsBefore
    process.stderr.write(
      `${Secrets.forTerminal(
        `ringpool bulk: resuming ${flags.output} after its ${Tally.count(start.rowsBefore, "result")}${
          inFlight > 0
            ? `; the ${Tally.count(inFlight, "row")} after them had been sent without their results being written, and are sent again (each may get a second number)`
            : ""
        }`
      )}\n`
    )
  }
  const tally = start?.tally ?? Tally.make()
  const writer = await Writer.make(outputFormat, columns, start?.rowsBefore ?? 0)
  const write: (text: string) => void | Promise<void> = start === undefined ? Stdout.write : start.file.write
  if (start === undefined) await Stdout.write(writer.start)

  const client = flags.dryRun ? undefined : createRingPoolClient(settings.options)
  // With no key to fall back on, a row without its own fails here, with the CLI's words for where a key comes from
  // (the core's would name its own option).
  const keyed =
    settings.resolved.defaultKey === undefined
      ? (rows: ReadonlyArray<InputRow>): ReadonlyArray<InputRow> =>
          rows.map((row) =>
            "request" in row && row.request.ringPoolKey === undefined
              ? invalid(
                  row.line,
                  "no ring pool key: the row has no ring_pool_key, and neither --key nor RINGPOOL_KEY is set",
                  row.request.requestId
                )
              : row
          )
      : (rows: ReadonlyArray<InputRow>) => rows
  const progress = Progress.make()
  const stop = Signals.onStop()
  void stop.stopped.then(source.stop)
  const started = Date.now()
  let ran: BulkRun.Ran
  try {
    ran = await BulkRun.run({
      reads: source.reads,
      skip: start?.rowsBefore ?? 0,
      inFlightThrough: start?.inFlightThrough ?? 0,
      maxBatchSize,
      concurrency,
      chunkChars: Math.max(1, Math.floor(inFlightChars / concurrency)),
      resolve:
        client === undefined
          ? (rows) => DryRun.check(keyed(rows), settings.resolved.defaultKey)
          : (given) => {
              const rows = keyed(given)
              const requests = []
              for (const row of rows) if ("request" in row) requests.push(row.request)
              return client.allocateAll(requests).then((outcomes) => {
                let next = 0
                return rows.map((row) =>
                  "request" in row
                    ? ResultRow.fromOutcome(row.line, row.request.requestId, outcomes[next++]!)
                    : ResultRow.fromInvalid(row)
                )
              })
            },
      beforeSend: (lastRow) =>
        start?.ledger?.mark({
          sent: lastRow,
          input: source.bytesRead(),
          sha256: source.digest(),
          written: tally.rows,
          bytes: start.file.size(),
          fileSha256: start.file.digest(),
          tally: Tally.toRecord(tally)
        }),
      write: (results) => {
        Tally.addAll(tally, results)
        progress.update(tally)
        return write(writer.rows(results))
      },
      stopRequested: stop.requested
    })
    // The ledger's rows end before the output's end (a JSON array's `]`), which a resumed run writes again.
    const rowsEnd = start?.file.size() ?? 0
    const rowsDigest = start?.file.digest()
    await write(writer.end())
    // Finished when every row of the input was sent and written; text after a JSON document ends it as well.
    const readToEnd = ran.unreadable === undefined || ran.unreadable.afterLastRow
    if (!ran.stopped && readToEnd && start?.ledger !== undefined) {
      const inputSize = file === "-" ? undefined : (await stat(file).catch(() => undefined))?.size
      start.ledger.mark({
        sent: tally.rows,
        input: source.bytesRead(),
        sha256: source.digest(),
        written: tally.rows,
        bytes: rowsEnd,
        fileSha256: rowsDigest!,
        tally: Tally.toRecord(tally),
        finished: true,
        ...(inputSize === undefined ? {} : { inputSize })
      })
    }
  } catch (error) {
    // The reader went away (`| head`): the rows sent after the last result written may hold numbers no one saw.
    if (error instanceof Stdout.StdoutClosed) {
      throw new Stdout.StdoutClosed(
        flags.dryRun
          ? ` (${Tally.count(tally.rows, "result")} written to it; nothing was sent)`
          : ` (${Tally.count(tally.rows, "result")} written to it; rows sent after them may have been allocated: use --output FILE to keep every result)`
      )
    }
    throw error
  } finally {
    stop.dispose()
    start?.file.close()
    start?.ledger?.close()
    await client?.close()
  }

  const stats = client?.stats()
  const notes: Array<string> = []
  if (ran.stopped) {
    notes.push(
      flags.output === undefined
        ? "  interrupted: every row sent has its result above; the rows after them were not sent"
        : `  interrupted: every row sent has its result in ${flags.output}; run the same command with --resume to continue`
    )
  }
  // Input refused before its first row (a CSV header without ring_pool_id) needs its one line, not a summary.
  if (ran.unreadable === undefined || ran.rows > 0 || start !== undefined) {
    progress.clear()
    const summary = Tally.render(tally, {
      rows: ran.rows,
      elapsedMs: Date.now() - started,
      bulkCalls: stats?.bulkCalls ?? 0,
      processingTimeMs: stats?.processingTimeMs ?? 0,
      dryRun: flags.dryRun,
      resumed:
        flags.resume && start !== undefined
          ? { rowsBefore: start.rowsBefore, output: flags.output!, resent: ran.resent }
          : undefined
    })
    process.stderr.write(`${Secrets.forTerminal([summary, ...notes].join("\n"))}\n`)
  }
  if (ran.unreadable !== undefined) throw CliFailure.usage(ran.unreadable.message)
  if (ran.stopped) return 130
  return Tally.unsuccessful(tally) > 0 ? 2 : 0
}
