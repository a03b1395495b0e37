/**
 * RingPool parameters from the command line: `NAME=VALUE` arguments, in the order given. The value is everything
 * after the first `=` (it may contain `=` and may be empty, which the API allows).
 */
import * as CliFailure from "./CliFailure.ts"

/** The parameters, or a usage failure that says which argument is wrong (without quoting it). */
export const parse = (args: ReadonlyArray<string>): Array<readonly [string, string]> => {
  const params: Array<readonly [string, string]> = []
  for (const [i, arg] of args.entries()) {
    const eq = arg.indexOf("=")
    // The argument itself is not quoted back: a key typed in the wrong place must not end up on the screen.
    if (eq === -1)
      throw CliFailure.usage(`parameter ${i + 1} is not NAME=VALUE (write m1=autos, or m1= for an empty value)`)
    const name = arg.slice(0, eq)
    if (name === "") throw CliFailure.usage(`parameter ${i + 1} has no name before '='`)
    if (name === "ring_pool_key")
      throw CliFailure.usage("ring_pool_key is not a parameter: pass the key with --key or RINGPOOL_KEY")
    params.push([name, arg.slice(eq + 1)])
  }
  return params
}
