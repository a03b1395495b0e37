/**
 * How a command ends when it does not end well, and the exit code scripts can rely on:
 * 1 for usage, configuration or unreadable input; 2 when at least one row failed.
 *
 * `message` is one line for stderr, or empty when the command has already said everything (a bulk run's
 * failed rows are in its output and its summary).
 */
import { Schema } from "effect"

export class CliFailure extends Schema.TaggedError<CliFailure>()("CliFailure", {
  exitCode: Schema.Literals([1, 2]),
  message: Schema.String
}) {}

/** A wrong flag, argument or environment variable, or a file that cannot be read: exit 1. */
export const usage = (message: string): CliFailure => new CliFailure({ exitCode: 1, message })

/** At least one row did not get a number: exit 2. */
export const rowsFailed = (message: string): CliFailure => new CliFailure({ exitCode: 2, message })
