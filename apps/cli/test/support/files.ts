/**
 * Test inputs: files of rows written as a stream (the test process must not hold a million rows either), and a
 * seeded generator, so that "random" inputs and kill points can be replayed.
 */
import { createWriteStream } from "node:fs"

/** Writes `count` lines made by `line(i)` to `path`; resolves to the path. */
export const writeLines = (path: string, count: number, line: (i: number) => string): Promise<string> =>
  new Promise((resolve, reject) => {
    const out = createWriteStream(path)
    out.on("error", reject)
    let i = 0
    const write = () => {
      while (i < count) if (!out.write(`${line(i++)}\n`)) return void out.once("drain", write)
      out.end(() => resolve(path))
    }
    write()
  })

/** Numbers in [0, 1) from a seed (a linear congruential generator: the same seed, the same numbers). */
export const seeded = (seed: number): (() => number) => {
  let state = seed % 2147483648
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}
