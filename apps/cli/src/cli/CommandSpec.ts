/**
 * What a command is, as data: its name, flags, argument, help text, and how to run it once parsed.
 *
 * A command's definition is cheap to load (no Effect, no core): `ringpool --help` and every usage error are
 * answered from these definitions alone, and `run` loads the command's implementation only when it runs.
 * (effect/cli costs about 40 ms of start-up before any command runs; this shell costs about 1 ms.)
 */

export interface FlagSpec {
  /** `secret` is a string that is never echoed (the key): masked in every message. */
  readonly kind: "string" | "integer" | "boolean" | "choice" | "secret"
  readonly description: string
  /** The value's name in help, e.g. `ID` in `--pool ID`. */
  readonly metavar?: string
  readonly choices?: ReadonlyArray<string>
  /** An integer's smallest and largest values: outside them, the flag is refused as it is read, with its help. */
  readonly range?: readonly [min: number, max: number]
  readonly required?: boolean
}

export interface ArgumentSpec {
  /** As shown in help and messages, e.g. `FILE` or `NAME=VALUE`. */
  readonly name: string
  readonly description: string
  /** `optional`: zero or one; `variadic`: one or more. */
  readonly arity: "optional" | "variadic"
}

export interface Example {
  readonly command: string
  readonly description: string
}

type ValueOf<F extends FlagSpec> = F["kind"] extends "integer"
  ? number
  : F["kind"] extends "boolean"
    ? boolean
    : F extends { readonly choices: ReadonlyArray<infer C> }
      ? C
      : string

/** The parsed flags: required and boolean flags always have a value; others may be `undefined`. */
export type FlagValues<Flags extends Record<string, FlagSpec>> = {
  readonly [K in keyof Flags]: Flags[K] extends { readonly required: true }
    ? ValueOf<Flags[K]>
    : Flags[K]["kind"] extends "boolean"
      ? boolean
      : ValueOf<Flags[K]> | undefined
}

export interface Input<Flags extends Record<string, FlagSpec>> {
  readonly flags: FlagValues<Flags>
  /** The positional arguments, in order (empty when the command takes none). */
  readonly args: ReadonlyArray<string>
}

export interface CommandSpec<Flags extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  readonly name: string
  /** One line, for the list of commands. */
  readonly summary: string
  /** Paragraphs, for the command's own help. */
  readonly description: ReadonlyArray<string>
  /** Keyed by camelCase name; the flag is its kebab-case form (`maxBatchSize` is `--max-batch-size`). */
  readonly flags: Flags
  readonly argument?: ArgumentSpec
  readonly examples: ReadonlyArray<Example>
  /** Runs the command and resolves to its exit code. Loads the implementation on demand. */
  readonly run: (input: Input<Flags>) => Promise<number>
}

/** A command, with its flags' types inferred from their specs. */
export const define = <const Flags extends Record<string, FlagSpec>>(spec: CommandSpec<Flags>): CommandSpec =>
  spec as unknown as CommandSpec

/** `maxBatchSize` -> `max-batch-size`. */
export const flagName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
