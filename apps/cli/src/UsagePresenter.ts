/**
 * How effect/cli's own output is shown: help on stdout (it was asked for), and a usage error as ONE line on stderr
 * with where to look, instead of the whole help text (which would bury the reason and pollute stdout).
 */
import { Effect } from "effect"
import { type CliError, CliOutput } from "effect/cli"
import * as Secrets from "./Secrets.ts"

const describe = (error: CliError.CliError): string =>
  // Stray arguments are not quoted back: one of them could be a key typed in the wrong place.
  error._tag === "UnexpectedArgument"
    ? `unexpected ${error.arguments.length === 1 ? "argument" : `${error.arguments.length} arguments`}`
    : error.message

/** The one line for a usage error: `ringpool bulk: <reason> (see ringpool bulk --help)`. */
export const usageLine = (commandPath: ReadonlyArray<string>, errors: ReadonlyArray<CliError.CliError>): string => {
  const command = commandPath.join(" ")
  const reason = errors.map(describe).join("; ").replace(/\s+/g, " ").trim()
  return Secrets.mask(`${command}: ${reason} (see ${command} --help)`)
}

export const layer = CliOutput.layerPresenter({
  present: (event) =>
    Effect.sync(() => {
      switch (event._tag) {
        case "Help":
          process.stdout.write(`${CliOutput.defaultFormatter().formatHelpDoc(event.helpDoc)}\n`)
          return
        case "InvalidInvocation":
          process.stderr.write(`${usageLine(event.commandPath, event.errors)}\n`)
          return
        case "Version":
          process.stdout.write(`${event.name} ${event.version}\n`)
          return
      }
    })
})
