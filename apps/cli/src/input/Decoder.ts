/**
 * What the three input formats have in common: text goes in as it arrives, finished rows come out in input order.
 * Decoders are plain synchronous code (they run for every row) and hold at most one unfinished record.
 */
import type { InputRow } from "./InputRow.ts"

export interface Decoder {
  /** The rows completed by this text. Throws `UnreadableInput` when the input as a whole cannot be read. */
  readonly push: (text: string) => Array<InputRow>
  /** The rows left when the input ends. */
  readonly end: () => Array<InputRow>
}

/** The input cannot be read as a whole (no header, not the JSON shape we read): exit 1. */
export class UnreadableInput extends Error {
  readonly _tag = "UnreadableInput"
  /**
   * True when every row was read before it (text after a JSON document): no later run can read more of this input,
   * so a run that sent every row it read is finished all the same.
   */
  readonly afterLastRow: boolean
  constructor({ message, afterLastRow = false }: { readonly message: string; readonly afterLastRow?: boolean }) {
    super(message)
    this.name = "UnreadableInput"
    this.afterLastRow = afterLastRow
  }
}

/**
 * A bulk row is a few hundred characters; a record beyond 1 MiB is a broken file (an unclosed quote), and holding
 * it would let one line take all the memory. Such a record becomes an error row instead.
 */
export const maxRecordChars = 1024 * 1024

export const tooLong = "longer than 1 MiB: not a row (an unclosed quote or a missing line break?)"
