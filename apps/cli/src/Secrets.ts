/**
 * The last guard before text reaches the terminal: hides every ring pool key this process knows of.
 *
 * Keys read from input files are never quoted by the readers and are masked by the core in the service's
 * messages; the keys known here are the ones given on the command line (`--key`) or in `RINGPOOL_KEY`,
 * which could otherwise surface through a library's error message. They are masked in every form and in part
 * (any 6 characters of them), as the core masks the service's texts; and so is the value of any
 * `ring_pool_key=` of a suffix, under any encoding of its name.
 */
import { ApiSuffix, RingPoolError } from "@ringpool/core"

export const knownKeys = (
  argv: ReadonlyArray<string> = process.argv,
  env: NodeJS.ProcessEnv = process.env
): Array<string> => {
  const keys: Array<string> = []
  const fromEnv = env.RINGPOOL_KEY
  if (fromEnv !== undefined && fromEnv !== "") keys.push(fromEnv)
  argv.forEach((arg, i) => {
    // `--key --dry-run` is a key left out (refused as such), not the key `--dry-run`.
    if (arg === "--key" && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) keys.push(argv[i + 1]!)
    else if (arg.startsWith("--key=")) keys.push(arg.slice("--key=".length))
  })
  return keys.filter((key) => key.length > 0)
}

/**
 * Masks the keys of this process (and any `ring_pool_key=` of a suffix) in `text`, and the `also` keys (a row's own)
 * with them in one pass: masked one after the other, the first could cut a piece out of the second (a row key that
 * holds six characters of `RINGPOOL_KEY`), and the rest of the second would then show.
 */
export const mask = (
  text: string,
  argv: ReadonlyArray<string> = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  also: ReadonlyArray<string> = []
): string => RingPoolError.maskKey(ApiSuffix.mask(text), [...knownKeys(argv, env), ...also])
