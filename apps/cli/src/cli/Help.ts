/**
 * Help text, rendered from the commands' definitions: sections in capitals separated by blank lines, required
 * flags marked, and text wrapped to the terminal (at most 100 columns; 80 when stdout is not a terminal).
 */
import { type CommandSpec, flagName } from "./CommandSpec.ts"

const widthOf = (stream: NodeJS.WriteStream = process.stdout) =>
  stream.isTTY === true && stream.columns > 0 ? Math.min(stream.columns, 100) : 80

/**
 * `text` wrapped to `width`, every line after the first begun with `continuation` (by default `indent` spaces; the
 * first line's indent is the caller's).
 */
const wrap = (text: string, indent: number, width: number, continuation = " ".repeat(indent)): string => {
  const room = Math.max(width - indent, 30)
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/)) {
    if (word === "") continue
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  lines.push(line)
  return lines.join(`\n${continuation}`)
}

const section = (title: string, body: ReadonlyArray<string>) => [title, ...body].join("\n")

/** Two columns: names padded to the longest, descriptions wrapped beside them. */
const table = (rows: ReadonlyArray<readonly [string, string]>, width: number) => {
  const column = Math.max(...rows.map(([name]) => name.length)) + 4
  return rows.map(([name, description]) => `  ${name.padEnd(column)}${wrap(description, column + 2, width)}`)
}

const examples = (spec: { readonly examples: CommandSpec["examples"] }, width: number) =>
  spec.examples.flatMap((example, i) => [
    ...(i === 0 ? [] : [""]),
    // Every line of a comment is a comment: the block pastes into a shell as it stands.
    `  # ${wrap(example.description, 4, width, "  # ")}`,
    `  ${example.command}`
  ])

const helpFlags: ReadonlyArray<readonly [string, string]> = [["--help, -h", "Show this help"]]

export const command = (spec: CommandSpec, width = widthOf()): string => {
  const flags = Object.entries(spec.flags)
  const required = flags.filter(([, flag]) => flag.required === true)
  const usage = [
    `ringpool ${spec.name}`,
    ...required.map(([key, flag]) => `--${flagName(key)} ${flag.metavar ?? "VALUE"}`),
    ...(flags.length > required.length ? ["[flags]"] : []),
    ...(spec.argument === undefined
      ? []
      : [spec.argument.arity === "optional" ? `[${spec.argument.name}]` : `${spec.argument.name}...`])
  ].join(" ")
  const flagRows = flags.map(([key, flag]): readonly [string, string] => {
    const name = `--${flagName(key)}${flag.kind === "boolean" ? "" : ` ${flag.metavar ?? (flag.choices?.join("|") || "VALUE")}`}`
    return [name, `${flag.required === true ? "(required) " : ""}${flag.description}`]
  })
  const sections = [
    section(
      "DESCRIPTION",
      spec.description.map((paragraph) => `  ${wrap(paragraph, 2, width)}`).flatMap((p, i) => (i === 0 ? [p] : ["", p]))
    ),
    section("USAGE", [`  ${usage}`]),
    ...(spec.argument === undefined
      ? []
      : [section("ARGUMENTS", table([[spec.argument.name, spec.argument.description]], width))]),
    section("FLAGS", table([...flagRows, ...helpFlags], width)),
    section("EXAMPLES", examples(spec, width))
  ]
  return `${sections.join("\n\n")}\n`
}

export interface RootSpec {
  readonly description: string
  readonly commands: ReadonlyArray<Pick<CommandSpec, "name" | "summary">>
  readonly examples: CommandSpec["examples"]
}

export const root = (spec: RootSpec, width = widthOf()): string =>
  `${[
    section("DESCRIPTION", [`  ${wrap(spec.description, 2, width)}`]),
    section("USAGE", ["  ringpool <command> [flags]", "  ringpool <command> --help"]),
    section(
      "COMMANDS",
      table(
        spec.commands.map((command) => [command.name, command.summary]),
        width
      )
    ),
    section(
      "FLAGS",
      table(
        [
          ["--help, -h", "Show this help (after a command: that command's help)"],
          ["--version, -v", "Show the version"]
        ],
        width
      )
    ),
    section("EXAMPLES", examples(spec, width))
  ].join("\n\n")}\n`
