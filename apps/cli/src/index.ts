/**
 * `@ringpool/cli` for programs: the `ringpool` command run in-process (a task runner, a test harness). The command
 * itself is the package's bin; this is its one function. Output goes to `process.stdout` and `process.stderr`, as it
 * does on a terminal.
 *
 * @since 0.1.0
 */
import { main as ringpool } from "./Main.ts"

/**
 * Runs `ringpool` with these arguments (what follows `ringpool` on a command line) and resolves to its exit code:
 * 0 every row allocated, 1 usage, configuration or unreadable input, 2 at least one row failed.
 *
 * ```ts
 * import { main } from "@ringpool/cli"
 * const code = await main(["suffix", "--pool", "12345", "m1=autos"])
 * ```
 *
 * @since 0.1.0
 */
export const main = (argv: ReadonlyArray<string>): Promise<number> => ringpool(argv)
