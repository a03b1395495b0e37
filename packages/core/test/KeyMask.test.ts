import { describe, expect, it } from "vitest"
import * as KeyMask from "../src/internal/keyMask.ts"
import { maskKey } from "../src/RingPoolError.ts"

/** The definition the masking keeps to, written the slow way: every 6-character window looked up, every short form. */
const maskedTheSlowWay = (text: string, pieces: KeyMask.KeyPieces): string => {
  text = text.replace(/(API Key ')[^']*(')/gi, "$1<redacted>$2")
  // Windows in any ASCII case (they are kept in lower case); a key too short for one, as written and not in a word.
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase())
  const covered = new Uint8Array(text.length)
  for (let i = 0; i + 6 <= text.length; i++) if (pieces.windows.has(lower.slice(i, i + 6))) covered.fill(1, i, i + 6)
  for (const form of pieces.short) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      const alone = !/[A-Za-z0-9]/.test(text[at - 1] ?? "") && !/[A-Za-z0-9]/.test(text[at + form.length] ?? "")
      if (alone) covered.fill(1, at, at + form.length)
    }
  }
  let masked = ""
  for (let i = 0; i < text.length; i++) {
    if (covered[i] === 0) masked += text[i]
    else if (i === 0 || covered[i - 1] === 0) masked += "<redacted>"
  }
  return masked
}

const everyByte = (text: string) =>
  [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("")

/** mulberry32: repeatable draws, so that a failure shows the same case on every run. */
const draws = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("masking a key's pieces", () => {
  it("finds exactly what a scan of every window finds, on texts made of the key's pieces in every form", () => {
    const next = draws(7)
    const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!
    const keys = ["A329F4DC002168", "bench-key", "s3cr3t key/with+odd&chars", "abc", "ab cdef", "ÄÖÜ-ключ-9"]
    let masked = 0
    for (let round = 0; round < 3_000; round++) {
      const key = pick(keys)
      const forms = [
        key,
        encodeURIComponent(key),
        encodeURIComponent(key).toLowerCase(),
        key.replace(/ /g, "+"),
        key.toUpperCase(),
        key.toLowerCase(),
        everyByte(key)
      ]
      let text = ""
      for (let part = Math.floor(next() * 6); part >= 0; part--) {
        const form = pick(forms)
        const from = Math.floor(next() * form.length)
        text += pick([
          form.slice(from, from + 3 + Math.floor(next() * form.length)),
          "ring_pool_key=",
          "x".repeat(Math.floor(next() * 8)),
          `API Key '${key}'`,
          "&m1=autos"
        ])
      }
      const pieces = KeyMask.piecesOf(key)
      const expected = maskedTheSlowWay(text, pieces)
      expect(KeyMask.maskPieces(text, pieces), JSON.stringify({ key, text })).toBe(expected)
      expect(maskKey(text, key)).toBe(expected)
      if (expected !== text) masked++
    }
    // The draws really put pieces of keys in the texts: most of them had something to mask.
    expect(masked).toBeGreaterThan(1_500)
  })

  it("masks a key's piece wherever it stands, and lets a text without one through unchanged", () => {
    const key = "A329F4DC002168"
    expect(maskKey(`x${key.slice(2, 9)}y`, key)).toBe("x<redacted>y")
    expect(maskKey(`${key.slice(0, 6)}`, key)).toBe("<redacted>")
    expect(maskKey(`…${key.slice(-6)}`, key)).toBe("…<redacted>")
    expect(maskKey("1/allocate_number.json?ring_pool_key=<redacted>&m1=autos", key)).toBe(
      "1/allocate_number.json?ring_pool_key=<redacted>&m1=autos"
    )
    expect(maskKey("A329F4 and DC002168 and A329F", key)).toBe("<redacted> and <redacted> and A329F")
  })

  it("an excerpt does not put a key back together when it makes whitespace one space", () => {
    const key = "Odd Key With Spaces 42"
    const echoed = `bad key ${key.replace(/ /g, "\t")} and ${key.replace(/ /g, "\n")}`
    const pieces = KeyMask.piecesOf(key)
    const text = KeyMask.excerpt(echoed, pieces, 200)
    for (const piece of ["Key With", "With Spaces", "Spaces 42"]) expect(text).not.toContain(piece)
  })

  it("finds a key with ~ as a form encoder writes it (URLSearchParams, PHP urlencode, Java URLEncoder: %7E)", () => {
    const key = "Kx9q~Lp2Z~mW4t~Rq8s~Yz"
    const echoed = `http://t/?k=${new URLSearchParams([["k", key]]).toString().slice(2)}`
    expect(echoed).toContain("%7E")
    const masked = maskKey(echoed, key)
    expect(masked).toContain("<redacted>")
    for (const piece of ["Kx9q", "Lp2Z", "mW4t", "Rq8s"]) expect(masked).not.toContain(piece)
  })

  it("finds the key in another case, and with every byte percent-encoded", () => {
    const key = "SecretKeyAlpha99"
    for (const text of [
      "your key secretkeyalpha99 is bad",
      "YOUR KEY SECRETKEYALPHA99 IS BAD",
      "your key %53%65%63%72%65%74%4b%65%79%41%6c%70%68%61%39%39 is bad",
      "your key %53%65%63%72%65%74%4B%65%79 (cut)"
    ]) {
      const masked = maskKey(text, key)
      expect(masked).toContain("<redacted>")
      expect(masked.toLowerCase()).not.toContain("keyalp")
      expect(masked.toLowerCase()).not.toContain("%65%74%4b")
    }
    // Encoded twice, as a URL carried in another URL's parameter has it (a tracking URL's landing page).
    const odd = "Zq/9+Sx=Rt/Ky+8pQ"
    const twice = encodeURIComponent(`http://site/?k=${encodeURIComponent(odd)}`)
    for (const text of [`http://t.test/c?us=${twice}`, `bad key ${encodeURIComponent(encodeURIComponent(odd))}`]) {
      const masked = maskKey(text, odd)
      expect(masked).toContain("<redacted>")
      const decoded = decodeURIComponent(decodeURIComponent(masked.replaceAll("<redacted>", "")))
      for (let i = 0; i + 6 <= odd.length; i++) expect(decoded, masked).not.toContain(odd.slice(i, i + 6))
      for (const part of ["Zq/9+S", "Ky+8pQ"]) expect(decoded).not.toContain(part)
    }
    // A key too short for a piece is matched as written, and not inside words: else it would hide ordinary letters.
    expect(maskKey("InvalidKey: API Key 'k' is not valid", "k")).toBe("InvalidKey: API Key '<redacted>' is not valid")
    expect(maskKey("Check the network: key=k, K", "k")).toBe("Check the network: key=<redacted>, K")
  })
})
