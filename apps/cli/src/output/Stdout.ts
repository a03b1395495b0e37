/**
 * Writing results to standard output at the pace the reader downstream takes them: a write waits for `drain`
 * when Node's buffer is full, so a slow pipe slows the run down instead of filling memory.
 */

/** The reader of stdout went away (e.g. `| head`): results of rows already allocated could not be written. */
export class StdoutClosed extends Error {
  /** `detail`: how far the results got, when the caller knows. */
  constructor(detail = "") {
    super(`standard output was closed before every result was written${detail}`)
    this.name = "StdoutClosed"
  }
}

let closed = false
const noteClosed = () => {
  closed = true
}

/** Writes `text` to stdout, waiting when the pipe is full; rejects with `StdoutClosed` once the reader is gone. */
export const write = (text: string): Promise<void> => {
  const stdout = process.stdout
  if (closed || stdout.destroyed) return Promise.reject(new StdoutClosed())
  if (!stdout.listeners("error").includes(noteClosed)) stdout.on("error", noteClosed)
  if (text === "" || stdout.write(text)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = () => {
      stdout.off("drain", done)
      stdout.off("close", done)
      if (closed) reject(new StdoutClosed())
      else resolve()
    }
    stdout.on("drain", done)
    stdout.on("close", done)
  })
}
