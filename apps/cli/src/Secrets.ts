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
import * as Arguments from "./Arguments.ts"

export const knownKeys = (
  argv: ReadonlyArray<string> = process.argv,
  env: NodeJS.ProcessEnv = process.env
): Array<string> => {
  const keys: Array<string> = []
  const fromEnv = env.RINGPOOL_KEY
  if (fromEnv !== undefined && fromEnv !== "") keys.push(fromEnv)
  // The process's own arguments, and those `main` was given (the same, but for a program that calls `main`).
  for (const words of [argv, ...Arguments.given()]) {
    words.forEach((arg, i) => {
      // `--key --dry-run` is a key left out (refused as such), not the key `--dry-run`.
      if (arg === "--key" && words[i + 1] !== undefined && !words[i + 1]!.startsWith("--")) keys.push(words[i + 1]!)
      else if (arg.startsWith("--key=")) keys.push(arg.slice("--key=".length))
    })
  }
  return keys.filter((key) => key.length > 0)
}

/** Masks the keys of this process (and any `ring_pool_key=` of a suffix) in `text`. */
export const mask = (
  text: string,
  argv: ReadonlyArray<string> = process.argv,
  env: NodeJS.ProcessEnv = process.env
): string => maskAlso(text, [], argv, env)

/**
 * `mask`, with the `also` keys (a row's own) masked in the same pass: masked one after the other, the first could
 * cut a piece out of the second (a row key that holds six characters of `RINGPOOL_KEY`), and its rest would show.
 */
export const maskAlso = (
  text: string,
  also: ReadonlyArray<string>,
  argv: ReadonlyArray<string> = process.argv,
  env: NodeJS.ProcessEnv = process.env
): string => RingPoolError.maskKey(ApiSuffix.mask(text), [...knownKeys(argv, env), ...also])

/**
 * Control characters (but newline and tab), and the marks that reorder text (bidi overrides and isolates): a
 * service's message or error class quoted on the terminal could otherwise clear the screen, set the window's title,
 * rewrite the line, or show other text than it holds.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this looks for
const unprintable = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g

/** `text` as it may reach the terminal: keys masked (see `mask`), control characters replaced by U+FFFD. */
export const forTerminal = (text: string): string => mask(text).replace(unprintable, "\ufffd")
