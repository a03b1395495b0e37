/**
 * Writing results to standard output at the pace the reader downstream takes them: a write waits for `drain`
 * when Node's buffer is full, so a slow pipe slows the run down instead of filling memory.
 */
import { Effect, Schema } from "effect"

/** The reader of stdout went away (e.g. `| head`): results of rows already allocated could not be written. */
export class StdoutClosed extends Schema.TaggedError<StdoutClosed>()("StdoutClosed", {}) {
  override get message(): string {
    return "standard output was closed before every result was written"
  }
}

let closed = false
const noteClosed = () => {
  closed = true
}

/** Writes `text` to stdout, waiting when the pipe is full. */
export const write = (text: string): Effect.Effect<void, StdoutClosed> =>
  Effect.callback<void, StdoutClosed>((resume) => {
    const stdout = process.stdout
    if (closed || stdout.destroyed) return resume(Effect.fail(new StdoutClosed()))
    if (!stdout.listeners("error").includes(noteClosed)) stdout.on("error", noteClosed)
    if (text === "" || stdout.write(text)) return resume(Effect.void)
    const done = () => {
      stdout.off("drain", done)
      stdout.off("close", done)
      resume(closed ? Effect.fail(new StdoutClosed()) : Effect.void)
    }
    stdout.on("drain", done)
    stdout.on("close", done)
  })
