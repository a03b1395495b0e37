/**
 * The arguments of one command, read against its definition.
 *
 * Decisions (clig.dev's, where the API has no say):
 * - Long flags only (`--pool 1` or `--pool=1`), plus `-h` for help; `--` ends the flags.
 * - `--help` anywhere shows the command's help, whatever else is wrong on the line.
 * - The first problem is the one reported: one line that says what to write, not a stack of errors.
 * - A flag given twice is a mistake, not "the last one wins": one of the two was not meant.
 */
import { type CommandSpec, flagName, type Input } from "./CommandSpec.ts"
import { closest } from "./Suggest.ts"

export type Parsed =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Ok"; readonly input: Input<Record<string, never>> }
  | { readonly _tag: "Invalid"; readonly message: string }

const helpFlags = new Set(["--help", "-h"])

export const wantsHelp = (argv: ReadonlyArray<string>): boolean => {
  for (const arg of argv) {
    if (arg === "--") return false
    if (helpFlags.has(arg)) return true
  }
  return false
}

const invalid = (message: string): Parsed => ({ _tag: "Invalid", message })

const usageOf = (spec: CommandSpec, key: string) => {
  const flag = spec.flags[key]!
  return flag.kind === "boolean" ? `--${flagName(key)}` : `--${flagName(key)} ${flag.metavar ?? "VALUE"}`
}

export const parse = (spec: CommandSpec, argv: ReadonlyArray<string>): Parsed => {
  if (wantsHelp(argv)) return { _tag: "Help" }
  const byName = new Map(Object.keys(spec.flags).map((key) => [flagName(key), key]))
  const values: Record<string, unknown> = {}
  const args: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      args.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith("-") || arg === "-") {
      args.push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = arg.startsWith("--") ? arg.slice(2, eq === -1 ? undefined : eq) : ""
    const key = byName.get(name)
    if (key === undefined) {
      const shown = eq === -1 ? arg : arg.slice(0, eq)
      if (helpFlags.has(shown)) return invalid(`${shown} takes no value (write ${shown} alone)`)
      const suggestion = closest(name, [...byName.keys()])
      // Named only when it reads as a flag's name: `--key:SECRET` (a key typed onto its flag) is not repeated.
      const named = /^--?[A-Za-z][A-Za-z0-9-]{0,40}$/.test(shown)
        ? shown
        : `(a word of ${shown.length} characters, not shown)`
      return invalid(`unknown flag ${named}${suggestion === undefined ? "" : `. Did you mean --${suggestion}?`}`)
    }
    const flag = spec.flags[key]!
    if (key in values) return invalid(`--${name} is given twice: give it once`)
    let text: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1)
    if (flag.kind === "boolean") {
      // No `--dry-run=false`: a flag that reads as a dry run must never run for real.
      if (text !== undefined) return invalid(`--${name} takes no value (write --${name} alone, or leave it out)`)
      values[key] = true
      continue
    }
    if (text === undefined) {
      text = argv[i + 1]
      if (text === undefined) return invalid(`${usageOf(spec, key)}: the value is missing`)
      // `--output --dry-run` is a value left out, not a file named `--dry-run`: taken as one, the dry run would
      // run for real. A value that does begin with `--` is written `--flag=--value`. (A word that is not one of
      // the flags is not quoted: it may be a key.)
      if (text.startsWith("--")) {
        const next = text.slice(2, text.includes("=") ? text.indexOf("=") : undefined)
        const what = byName.has(next) || helpFlags.has(`--${next}`) ? `the flag --${next}` : "a word beginning with --"
        return invalid(
          `${usageOf(spec, key)}: the value is missing (${what} follows); a value that begins with -- is written --${name}=VALUE`
        )
      }
      i++
    }
    const value = flagValue(flag.kind, text, flag.choices)
    if (value === undefined) {
      return invalid(
        flag.kind === "integer"
          ? `--${name} must be a whole number, got '${text}'`
          : `--${name} must be one of ${flag.choices!.join(", ")}; got '${text}'`
      )
    }
    if (typeof value === "number" && flag.range !== undefined) {
      const [min, max] = flag.range
      if (!(value >= min && value <= max))
        return invalid(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`)
    }
    values[key] = value
  }
  for (const [key, flag] of Object.entries(spec.flags)) {
    if (key in values) continue
    if (flag.required === true) return invalid(`${usageOf(spec, key)} is required (${flag.description})`)
    values[key] = flag.kind === "boolean" ? false : undefined
  }
  const argument = spec.argument
  if (argument === undefined && args.length > 0) {
    return invalid(`unexpected argument '${args[0]}': ringpool ${spec.name} takes no arguments`)
  }
  if (argument?.arity === "optional" && args.length > 1) {
    return invalid(`unexpected argument '${args[1]}': ringpool ${spec.name} takes one ${argument.name}`)
  }
  if (argument?.arity === "variadic" && args.length === 0) {
    return invalid(`missing ${argument.name}: ${argument.description}`)
  }
  return { _tag: "Ok", input: { flags: values as never, args } }
}

const flagValue = (
  kind: "string" | "integer" | "choice" | "secret",
  text: string,
  choices: ReadonlyArray<string> | undefined
): unknown => {
  switch (kind) {
    case "integer":
      return /^[+-]?\d+$/.test(text) ? Number(text) : undefined
    case "choice":
      return choices!.includes(text) ? text : undefined
    default:
      return text
  }
}
