/**
 * How a command ends when it does not end well, and the exit code scripts can rely on:
 * 1 for usage, configuration or unreadable input; 2 when at least one row failed.
 *
 * `message` is one line for stderr, or empty when the command has already said everything (a bulk run's
 * failed rows are in its output and its summary).
 */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string
  ) {
    super(message)
    this.name = "CliFailure"
  }
}

/** A wrong flag, argument or environment variable, or a file that cannot be read: exit 1. */
export const usage = (message: string): CliFailure => new CliFailure(1, message)

/** At least one row did not get a number: exit 2. */
export const rowsFailed = (message: string): CliFailure => new CliFailure(2, message)
