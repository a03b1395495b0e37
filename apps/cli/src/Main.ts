/**
 * The command as a process: find the command, read its arguments, run it, and turn how it ended into an exit code
 * and (at most) one line on stderr.
 *
 * 0: every row allocated (or help, version). 1: usage, configuration or unreadable input. 2: at least one row
 * failed. 130: interrupted by a signal. Anything unexpected is a bug: its message (masked) and exit 1.
 *
 * Nothing here loads Effect or the core: help and usage errors are answered from the commands' definitions, and a
 * command's implementation is loaded only when it runs.
 */

import * as Arguments from "./Arguments.ts"
import { commands, root } from "./Cli.ts"
import { CliFailure } from "./CliFailure.ts"
import * as Args from "./cli/Args.ts"
import * as Help from "./cli/Help.ts"
import { closest } from "./cli/Suggest.ts"
import { StdoutClosed } from "./output/Stdout.ts"

/** The package's version, written in by the bundler (scripts/bundle.mjs). */
declare const RINGPOOL_VERSION: string

/** Writes one line to stderr, with every key this process knows of masked (the masking loads the core). */
const say = async (line: string) => {
  const Secrets = await import("./Secrets.ts")
  process.stderr.write(`${Secrets.forTerminal(line)}\n`)
}

const usageError = async (command: string, message: string) => {
  await say(`${command}: ${message} (see ${command} --help)`)
  return 1
}

const exitCodeOf = async (error: unknown): Promise<number> => {
  if (error instanceof CliFailure) {
    if (error.message !== "") await say(`ringpool: ${error.message}`)
    return error.exitCode
  }
  if (error instanceof StdoutClosed) {
    await say(`ringpool: ${error.message}`)
    return 1
  }
  const text = error instanceof Error ? error.message : String(error)
  await say(`ringpool: unexpected error (please report it): ${text.replace(/\s+/g, " ")}`)
  return 1
}

/** Runs `ringpool` with these arguments (without `node` and the script); resolves to the exit code. */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  Arguments.remember(argv)
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(Help.root(root))
    return 0
  }
  // `ringpool help` and `ringpool help bulk`, as git and npm take them.
  if (name === "help") return rest.length === 0 ? main(["--help"]) : main([rest[0]!, "--help"])
  if (name === "--version" || name === "-v") {
    process.stdout.write(`ringpool ${RINGPOOL_VERSION}\n`)
    return 0
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    if (name.startsWith("-")) {
      // A near miss of the two flags that come before a command (`--verison`) is that flag; any other flag is a
      // command's, and goes after it.
      const flag = closest(name, ["--version", "--help"])
      // Named only when it reads as a flag's name: a key typed onto its flag is not repeated.
      const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(name)
        ? name
        : `(a word of ${name.length} characters, not shown)`
      return usageError(
        "ringpool",
        flag === undefined
          ? `unknown flag ${named}: flags come after the command, as in ringpool bulk --help`
          : `unknown flag ${named}. Did you mean ${flag}?`
      )
    }
    const suggestion = closest(
      name,
      commands.map((candidate) => candidate.name)
    )
    return usageError(
      "ringpool",
      `Unknown command '${name}'.${suggestion === undefined ? "" : ` Did you mean '${suggestion}'?`}`
    )
  }
  const parsed = Args.parse(command, rest)
  switch (parsed._tag) {
    case "Help":
      process.stdout.write(Help.command(command))
      return 0
    case "Invalid":
      return usageError(`ringpool ${command.name}`, parsed.message)
    case "Ok":
      try {
        return await command.run(parsed.input)
      } catch (error) {
        return exitCodeOf(error)
      }
  }
}

/** Runs `ringpool` on `process.argv` and exits with its code once stdout and stderr are flushed. */
export const run = (): void => {
  const exit = (code: number) => process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
  // Node ends a process whose work is gone with exit 0, even while the command's promise still waits: that is a bug
  // of ours (a wait nothing will end), and must not read as success.
  const unfinished = () => {
    process.stderr.write("ringpool: internal error: the command stopped before it finished (please report it)\n")
    process.exitCode = 1
  }
  process.once("beforeExit", unfinished)
  main(process.argv.slice(2))
    .catch(exitCodeOf)
    .then(
      (code) => {
        process.off("beforeExit", unfinished)
        exit(code)
      },
      () => process.exit(1)
    )
}
