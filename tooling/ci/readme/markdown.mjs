// The code blocks of a README: fenced blocks (``` or ~~~) with their language, the line they start on, and their
// label. A block whose first line is a comment starting with "Fragment" (`// Fragment: ...`, `# Fragment: ...`) says
// so to its readers: it is a piece of a program, shown and not compiled or run on its own.
import { readFileSync } from "node:fs"

const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)[^\n]*$/

export const codeBlocks = (path) => {
  const lines = readFileSync(path, "utf8").split("\n")
  const blocks = []
  for (let index = 0; index < lines.length; index++) {
    const open = fence.exec(lines[index])
    if (!open) continue
    const [, indent, marker, language] = open
    const body = []
    let end = index + 1
    while (end < lines.length && !lines[end].trimStart().startsWith(marker))
      body.push(lines[end++].slice(indent.length))
    blocks.push({
      path,
      line: index + 1,
      language: language.toLowerCase(),
      body: body.join("\n"),
      fragment: /^\s*(\/\/|#)\s*fragment\b/i.test(body.find((text) => text.trim() !== "") ?? "")
    })
    index = end
  }
  return blocks
}

/** `README.md:12` for messages: where the block's opening fence is. */
export const where = (block, root) => `${block.path.slice(root.length)}:${block.line}`
