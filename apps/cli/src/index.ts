/**
 * @ringpool/cli: the `ringpool` command. Its commands are exported for programs that embed them.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export { command } from "./Cli.ts"
/** @since 0.1.0 */
export { run } from "./Main.ts"
