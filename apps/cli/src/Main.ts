/**
 * The command as a process: parse, run, and turn how it ended into an exit code and (at most) one line on stderr.
 *
 * 0: every row allocated (or help, version). 1: usage, configuration or unreadable input. 2: at least one row
 * failed. 130: interrupted by a signal. Anything unexpected is a bug: its message (masked) and exit 1.
 */
import { readFileSync } from "node:fs"
import { NodeServices } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer } from "effect"
import { CliConfig, CliError, Command, GlobalFlag } from "effect/cli"
import { command } from "./Cli.ts"
import { CliFailure } from "./CliFailure.ts"
import { StdoutClosed } from "./output/Stdout.ts"
import * as Secrets from "./Secrets.ts"
import * as Signals from "./Signals.ts"
import * as UsagePresenter from "./UsagePresenter.ts"

export const version: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version

// --help, --version and shell completions; not the interactive wizard (this is a tool for scripts and files)
// nor --log-level (the command does not log: its diagnostics are its stderr lines).
const builtIns = CliConfig.layer({ builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions] })

/** The exit code of a finished run, after writing its one line (if any) to stderr. */
export const exitCode = (exit: Exit.Exit<void, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.hasInterruptsOnly(exit.cause)) return 130
  const error = Cause.squash(exit.cause)
  if (error instanceof CliFailure) {
    if (error.message !== "") process.stderr.write(`ringpool: ${Secrets.mask(error.message)}\n`)
    return error.exitCode
  }
  if (error instanceof StdoutClosed) {
    process.stderr.write(`ringpool: ${error.message}\n`)
    return 1
  }
  if (CliError.isCliError(error)) {
    // Already shown by the presenter. `ringpool` alone shows the help: nothing went wrong, though nothing ran.
    return error._tag === "ShowHelp" && error.errors.length === 0 ? 0 : 1
  }
  const text = error instanceof Error ? error.message : String(error)
  process.stderr.write(`ringpool: unexpected error (please report it): ${Secrets.mask(text).replace(/\s+/g, " ")}\n`)
  return 1
}

/** Runs `ringpool` on `process.argv` and exits with its code once stdout and stderr are flushed. */
export const run = (): void => {
  const program = Command.run(command, { version }).pipe(
    Effect.provide(Layer.mergeAll(NodeServices.layer, UsagePresenter.layer, builtIns))
  )
  const fiber = Effect.runFork(program)
  // Effect's fibers do not keep Node alive by themselves (a command may only be waiting for a signal).
  const keepAlive = setInterval(() => undefined, 1 << 30)
  const uninstall = Signals.install(() => fiber.interruptUnsafe())
  fiber.addObserver((exit) => {
    uninstall()
    clearInterval(keepAlive)
    const code = exitCode(exit)
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
  })
}
