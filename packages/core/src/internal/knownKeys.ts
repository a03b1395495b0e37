/**
 * Every key a client has been given (its default key, and each row's), for masking the service's texts.
 *
 * A call's answer is masked against the keys of the call's own rows, and against these: a service (or a proxy in
 * front of it) that echoes a key it saw in an earlier call, in a message or a tracking URL, would otherwise have it
 * shown in the clear to whoever reads this call's outcome. At most `limit` keys are kept: a process uses a few, and
 * masking costs about a pass over a text per key (measured: 5,000 rows of 8 KB tracking URLs took 1.6 s with one
 * key and 6.9 s with 64). Past that, a call's own keys are still masked.
 * The pieces of the whole set are made once, and again only when a key is added.
 */
import { KeyPieces, piecesOf } from "./keyMask.ts"

const limit = 16

export class KnownKeys {
  private readonly keys = new Set<string>()
  private pieces: KeyPieces | undefined

  add(key: string): void {
    if (this.keys.size >= limit || this.keys.has(key) || key === "") return
    this.keys.add(key)
    this.pieces = undefined
  }

  /** The pieces of every known key and of `callKeys` (made for the call only when one of them is not known). */
  with(callKeys: ReadonlySet<string>): KeyPieces {
    for (const key of callKeys) {
      if (!this.keys.has(key)) return new KeyPieces([...this.keys, ...callKeys])
    }
    if (this.pieces === undefined) {
      const [only] = this.keys
      this.pieces = this.keys.size === 1 ? piecesOf(only!) : new KeyPieces(this.keys)
    }
    return this.pieces
  }
}
