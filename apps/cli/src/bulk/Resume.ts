/**
 * Where a bulk run with `--output FILE` starts: afresh, or (`--resume`) after the last result FILE holds.
 *
 * A fresh run refuses to replace a FILE whose ledger records an unfinished run, or cannot be read (it may have): those
 * results are the only record of numbers already allocated, and running the input again would allocate them a
 * second time.
 *
 * A resumed run checks, before anything is sent, that it continues the same run: the same formats and service
 * (the ledger's first line), and the same input (the input's first bytes, up to what the run had read, have the
 * fingerprint the ledger recorded), and that the ledger and FILE agree (the ledger's counts add up; FILE holds no
 * more rows than the run sent). Then it repairs FILE: complete rows after the ledger's last mark are counted, a torn
 * last row is cut off. Each refusal is one line that says why and what to do.
 */
import { rmSync } from "node:fs"
import { stat } from "node:fs/promises"
import * as CliFailure from "../CliFailure.ts"
import * as InputSource from "../input/InputSource.ts"
import * as Recovery from "../output/Recovery.ts"
import * as ResultFile from "../output/ResultFile.ts"
import * as Ledger from "./Ledger.ts"
import * as Tally from "./Tally.ts"

export interface Start {
  readonly file: ResultFile.ResultFile
  readonly ledger: Ledger.Ledger | undefined
  /** FILE's rows so far (all of them from an earlier run). */
  readonly tally: Tally.Tally
  /** The rows an earlier run may have sent without writing their results: numbers `rows + 1` to this. */
  readonly inFlightThrough: number
  /** What a resumed FILE already held: rows, and whether its start (a CSV header, `[`) is written. */
  readonly rowsBefore: number
}

const settingNames: ReadonlyArray<readonly [keyof Ledger.Settings, string]> = [
  ["inputFormat", "--input-format"],
  ["outputFormat", "--output-format"],
  ["service", "--base-url / RINGPOOL_BASE_URL"]
]

const firstMark = (file: ResultFile.ResultFile, input: string): Ledger.Mark => ({
  sent: 0,
  input: 0,
  sha256: input,
  written: 0,
  bytes: file.size(),
  fileSha256: file.digest(),
  tally: Tally.toRecord(Tally.make())
})

/** The refusal of a FILE or ledger changed since its run stopped: `what` says how it shows, then what to do. */
const changed = (output: string, what: string) =>
  CliFailure.usage(
    `cannot resume: ${what} (it was changed since the run stopped); to start over, remove ${output} and ${Ledger.pathOf(output)} (their rows would be allocated again)`
  )

/** SHA-256 of no bytes: the fingerprint of an input of which nothing was read yet. */
const emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/** A new run into FILE. `start` is the output's start (a CSV header, `[`), written at once. */
export const fresh = async (
  output: string,
  header: Ledger.Header,
  start: string,
  withLedger: boolean
): Promise<Start> => {
  const recorded = await Ledger.read(output)
  // A ledger that cannot be read may be the only record of an unfinished run: replacing FILE would lose it.
  if (recorded === "unreadable") {
    throw CliFailure.usage(
      `${Ledger.pathOf(output)} is not a ledger of ringpool bulk, or is damaged, so ${output} may hold an unfinished run: remove both files to start over (its rows would be allocated again)`
    )
  }
  if (recorded !== undefined && recorded.mark.finished !== true) {
    throw CliFailure.usage(
      `${output} holds an unfinished run (see ${Ledger.pathOf(output)}): add --resume to continue it, or remove both files to start over (its rows would be allocated again)`
    )
  }
  const file = ResultFile.create(output)
  file.write(start)
  // A dry run's FILE cannot be resumed: an earlier run's ledger beside it would describe other results.
  if (!withLedger) rmSync(Ledger.pathOf(output), { force: true })
  const ledger = withLedger ? Ledger.create(output, header, firstMark(file, emptyDigest)) : undefined
  return { file, ledger, tally: Tally.make(), inFlightThrough: 0, rowsBefore: 0 }
}

/** The run FILE holds, continued (`header` is this run's: its input FILE and settings). */
export const resume = async (output: string, header: Ledger.Header, columns: ReadonlyArray<string>): Promise<Start> => {
  const recorded = await Ledger.read(output)
  if (recorded === undefined) {
    throw CliFailure.usage(
      `nothing to resume: ${Ledger.pathOf(output)} does not exist (a run with --output FILE writes it); leave out --resume to start a run`
    )
  }
  if (recorded === "unreadable") {
    throw CliFailure.usage(`cannot resume: ${Ledger.pathOf(output)} is not a ledger of ringpool bulk, or is damaged`)
  }
  if (header.inputFormat === "json" && recorded.header.reader !== header.reader) {
    throw CliFailure.usage(
      `cannot resume: ${output} was written by an earlier ringpool bulk, which counted the rows of a JSON array otherwise (a stray value between rows); finish it with that version, or remove ${output} and ${Ledger.pathOf(output)} to start over (their rows would be allocated again)`
    )
  }
  for (const [name, flag] of settingNames) {
    if (recorded.header[name] !== header[name]) {
      throw CliFailure.usage(
        `cannot resume: ${output} was written with ${flag} ${recorded.header[name]}, not ${header[name]}: resume with the same settings`
      )
    }
  }
  const mark = recorded.mark
  const input = await stat(header.input).catch(() => undefined)
  if (input !== undefined && !input.isFile()) {
    throw CliFailure.usage(
      `--resume needs the input as a FILE: ${header.input} is not a plain file (a pipe or a device cannot be checked against the run it continues)`
    )
  }
  const digest = await InputSource.prefixDigest(header.input, mark.input)
  if (digest !== mark.sha256) {
    throw CliFailure.usage(
      `cannot resume: ${output} was written for another input (${header.input} does not begin with the ${mark.input} bytes ${recorded.header.input} had when the run stopped); resume with the same input FILE`
    )
  }
  // A finished run read its input to the end: rows added since belong in a run of their own. (Resumed, a JSON
  // array that was left unclosed, or a CSV quote, would have them read as part of rows FILE already answered.)
  // Blank lines or spaces added are no rows.
  const sizeThen = mark.inputSize ?? mark.input
  if (mark.finished === true && input !== undefined && input.size > sizeThen) {
    const added = await InputSource.readRange(header.input, sizeThen, Math.min(input.size, sizeThen + 64 * 1024))
    if (input.size - sizeThen > 64 * 1024 || /\S/.test(added)) {
      throw CliFailure.usage(
        `cannot resume: the run of ${output} finished, and ${header.input} has grown since (${sizeThen} bytes then, ${input.size} now); run the rows added in a run of their own`
      )
    }
  }
  const tally = Tally.fromRecord(mark.tally)!
  // A ledger's counts agree with each other: rows written are rows tallied, and no more than were sent.
  if (tally.rows !== mark.written || mark.written > mark.sent) {
    throw changed(output, `${Ledger.pathOf(output)} does not add up`)
  }
  const size = await stat(output).then(
    (info) => info.size,
    () => -1
  )
  // FILE as the ledger's last mark saw it: the same bytes, wherever a change was made (marks of older runs have none).
  const hash = size < mark.bytes ? undefined : await InputSource.hashRange(output, 0, mark.bytes)
  if (hash !== undefined && mark.fileSha256 !== undefined && hash.copy().digest("hex") !== mark.fileSha256) {
    throw changed(output, `${output} is not as its ledger recorded it`)
  }
  const recovered =
    hash === undefined
      ? undefined
      : await Recovery.scan(output, header.outputFormat, columns, mark.bytes, mark.sent - mark.written)
  if (recovered === undefined) {
    throw changed(output, `${output} is shorter than its ledger records`)
  }
  if (recovered.excess) {
    throw changed(output, `${output} holds more results than its run sent`)
  }
  for (const row of recovered.rows) Tally.add(tally, row)
  // The rows recovered after the mark join the hash, so that the marks of this run cover FILE from its start.
  const continued = await InputSource.hashRange(output, mark.bytes, recovered.end, hash!)
  const file = ResultFile.reopen(output, recovered.end, continued!)
  if (recovered.newlineMissing) file.write("\n")
  return {
    file,
    ledger: Ledger.reopen(output, recorded),
    tally,
    inFlightThrough: mark.sent,
    rowsBefore: tally.rows
  }
}
