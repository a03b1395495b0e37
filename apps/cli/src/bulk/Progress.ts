/**
 * A one-line progress indicator on stderr, only when stderr is a terminal: in a pipe or a log file it would be noise.
 * Redrawn at most every 200 ms, so a fast run does not spend its time drawing.
 */
import { count, type Tally, unsuccessful } from "./Tally.ts"

export interface Progress {
  readonly update: (tally: Tally) => void
  /** Removes the line, before the summary takes its place. */
  readonly clear: () => void
}

const silent: Progress = { update: () => undefined, clear: () => undefined }

export const make = (stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Progress => {
  if (stream.isTTY !== true) return silent
  let last = 0
  let drawn = false
  return {
    update: (tally) => {
      const time = now()
      if (time - last < 200) return
      last = time
      drawn = true
      const failed = unsuccessful(tally)
      stream.write(
        `\r\x1b[2Kringpool bulk: ${count(tally.rows, "row")}, ${tally.allocated} allocated${failed > 0 ? `, ${failed} not allocated` : ""}`
      )
    },
    clear: () => {
      if (drawn) stream.write("\r\x1b[2K")
    }
  }
}
