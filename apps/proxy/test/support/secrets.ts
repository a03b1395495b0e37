import { assert } from "@effect/vitest"

/** Fails when `text` holds `secret`, or any 6-character piece of it. */
export const assertNoPieceOf = (text: string, secret: string, where: string): void => {
  for (let i = 0; i + 6 <= secret.length; i++) {
    const piece = secret.slice(i, i + 6)
    assert.notInclude(text, piece, `${where} holds "${piece}", a piece of a secret`)
  }
}
