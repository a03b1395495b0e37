/**
 * Hiding ring pool keys in texts we did not write (a service's messages, bodies, echoed URLs).
 *
 * A key can reach such a text in any form a URL or a form gives it: as written, percent-encoded (only what must be,
 * or every byte; either case of hex digits; `%20` or `+` for a space; once more, inside another URL), in another
 * case of its ASCII letters (a server that upper- or lower-cases its messages), and in part (a server that cuts its
 * own message, or our excerpt of it). So every run of 6 or more characters that is a piece of any of those forms,
 * in any ASCII case, is masked, not only the whole key. Six is the shortest piece worth hiding that ordinary words
 * rarely match; a key shorter than that is masked whole, as written, where it is not part of a longer word (`k` is
 * not hidden in `Key`). What no encoder does (the key reversed, its characters encoded at random) is not looked for.
 */

const placeholder = "<redacted>"
const fragment = 6
const quotedKey = /(API Key ')[^']*(')/gi

const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const utf8 = new TextEncoder()

/** Every byte of the text's UTF-8 percent-encoded, as some encoders do. */
const everyByte = (text: string): string => {
  let encoded = ""
  for (const byte of utf8.encode(text)) encoded += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
  return encoded
}

/**
 * As a form body or a query built by `URLSearchParams`, PHP's `urlencode` or Java's `URLEncoder` has it: `~` and
 * `!'()` encoded too, `*` kept, a space as `+`.
 */
const formEncoded = (text: string): string => new URLSearchParams([["k", text]]).toString().slice(2)

/** ASCII letters lower-cased, nothing else: the text keeps its length, so a position in it is one in the original. */
const asciiLower = (text: string): string =>
  /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text

/** Every form the key can take in a URL, a form body or a message. */
const formsOf = (key: string): Set<string> => {
  const forms = new Set<string>([key, key.replace(/ /g, "+")])
  for (const encoded of [encodeURIComponent(key), rfc3986(key), formEncoded(key), everyByte(key)]) {
    const lower = encoded.replace(/%[0-9A-F]{2}/g, (triplet) => triplet.toLowerCase())
    for (const form of [encoded, lower]) forms.add(form).add(form.replace(/%20/g, "+"))
  }
  return forms
}

/**
 * An encoded form encoded once more (`%` as `%25`), as a URL carried in another URL's parameter has it (a tracking
 * URL's landing page, say). Only a text that holds `%25` can hold one of these.
 */
const nestedPercent = "%25"
const nested = (form: string): string | undefined =>
  form.includes("%") ? form.replace(/%/g, nestedPercent) : undefined

/**
 * The pieces to look for: every 6-character window of every form, in lower case (a text is searched in lower case
 * too), and forms too short for one, whole and as written (a key that short matched in any case would hide
 * ordinary letters).
 */
export class KeyPieces {
  readonly windows = new Set<string>()
  readonly short: Array<string> = []
  /**
   * What a text must contain (in lower case) to hold a window: every 6-character window of a form contains one of
   * the form's 3-character slices that start at a multiple of 3, so a text holding none of those holds no window.
   */
  readonly probes = new Set<string>()
  /**
   * The probes of the forms encoded twice, looked for only in a text that holds `%25` (most texts do not): they
   * would double the work of every text otherwise. (A text without `%25` could hold a window of such a form only as
   * its very last characters, cut after a `%2`: a piece of one or two of the key's bytes.)
   */
  readonly nestedProbes = new Set<string>()
  /** The longest form: a text cut after masking needs this much more than it keeps. */
  longest = 0

  constructor(keys: Iterable<string>) {
    for (const key of keys) {
      if (key.length === 0) continue
      for (const form of formsOf(key)) {
        this.add(form, this.probes)
        const twice = nested(form)
        if (twice !== undefined) this.add(twice, this.nestedProbes)
      }
    }
  }

  private add(form: string, probes: Set<string>): void {
    if (form.length > this.longest) this.longest = form.length
    if (form.length < fragment) {
      this.short.push(form)
      return
    }
    const lower = asciiLower(form)
    for (let i = 0; i + fragment <= lower.length; i++) this.windows.add(lower.slice(i, i + fragment))
    for (let i = 0; i + 3 <= lower.length; i += 3) probes.add(lower.slice(i, i + 3))
  }

  private readonly plain: ReadonlyArray<Set<string>> = [this.probes]
  private readonly all: ReadonlyArray<Set<string>> = [this.probes, this.nestedProbes]

  /** The probes to look for in a text (in lower case). */
  probesFor(lower: string): ReadonlyArray<Set<string>> {
    return lower.includes(nestedPercent) ? this.all : this.plain
  }

  get empty(): boolean {
    return this.windows.size === 0 && this.short.length === 0
  }

  /** Whether the text (and `lower`, it in lower case) may hold a piece: a quick test that lets most texts through. */
  mightHold(text: string, lower: string): boolean {
    for (const probes of this.probesFor(lower)) for (const probe of probes) if (lower.includes(probe)) return true
    for (const form of this.short) if (text.includes(form)) return true
    return false
  }
}

// The pieces of the keys seen lately, by key: a process uses few keys, and every bulk call needs its keys' pieces.
const cached = new Map<string, KeyPieces>()
const cacheLimit = 128

/** The pieces of one key, made once for the process (for a few keys at a time). */
export const piecesOf = (key: string): KeyPieces => {
  let pieces = cached.get(key)
  if (pieces === undefined) {
    if (cached.size >= cacheLimit) cached.clear()
    pieces = new KeyPieces([key])
    cached.set(key, pieces)
  }
  return pieces
}

/** A value the service sent for a row (a tracking URL, say), with any piece of the keys masked. */
export const maskValue = (text: string, pieces: KeyPieces): string =>
  pieces.mightHold(text, asciiLower(text)) ? maskPieces(text, pieces) : text

const wordCharacter = /[A-Za-z0-9]/

/** Whether `text[from, to)` is not part of a longer word: a key too short for a piece is masked only so. */
const standsAlone = (text: string, from: number, to: number): boolean =>
  !(from > 0 && wordCharacter.test(text[from - 1]!)) && !(to < text.length && wordCharacter.test(text[to]!))

/**
 * The text with the documented `InvalidKey` quote masked and every piece of the keys replaced by `<redacted>`
 * (neighbouring pieces become one placeholder).
 */
export const maskPieces = (text: string, pieces: KeyPieces): string => {
  text = text.replace(quotedKey, `$1${placeholder}$2`)
  if (pieces.empty) return text
  // Pieces are looked for in lower case; positions found there are the text's own.
  const lower = asciiLower(text)
  // A text with none of the probes holds no piece: most texts are let through without the scan below.
  if (!pieces.mightHold(text, lower)) return text
  let covered: Uint8Array | undefined
  const cover = (from: number, to: number) => {
    covered ??= new Uint8Array(text.length)
    covered.fill(1, from, to)
  }
  if (pieces.windows.size > 0) {
    // Every window of a form holds one of its probes (see `probes`), so only the windows around a probe found in
    // the text are looked up, each at most once: a text with a few probes costs a few lookups, not one a character.
    let looked: Uint8Array | undefined
    for (const probes of pieces.probesFor(lower)) {
      for (const probe of probes) {
        for (let at = lower.indexOf(probe); at !== -1; at = lower.indexOf(probe, at + 1)) {
          const last = Math.min(at, text.length - fragment)
          for (let start = Math.max(0, at + probe.length - fragment); start <= last; start++) {
            looked ??= new Uint8Array(text.length)
            if (looked[start] === 1) continue
            looked[start] = 1
            if (pieces.windows.has(lower.slice(start, start + fragment))) cover(start, start + fragment)
          }
        }
      }
    }
  }
  for (const form of pieces.short) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) {
      if (standsAlone(text, at, at + form.length)) cover(at, at + form.length)
    }
  }
  if (covered === undefined) return text
  let masked = ""
  let i = 0
  while (i < text.length) {
    if (covered[i] === 1) {
      masked += placeholder
      while (i < text.length && covered[i] === 1) i++
    } else {
      const start = i
      while (i < text.length && covered[i] !== 1) i++
      masked += text.slice(start, i)
    }
  }
  return masked
}

/**
 * At most `limit` characters of a text, for a message: masked first, then cut, so that a key across the cut cannot
 * survive as a fragment. Only a window a little longer than `limit` is scanned, whatever the text's size.
 */
export const excerpt = (text: string, pieces: KeyPieces, limit: number): string => {
  const cut = text.length > limit + pieces.longest + fragment
  let masked = maskPieces(cut ? text.slice(0, limit + pieces.longest + fragment) : text, pieces)
  // The window's own edge may split a piece too short to be recognised: drop what could be one.
  if (cut) masked = masked.slice(0, -(fragment - 1))
  // Masked again once its spaces are made one: a key with a space, echoed with a tab or a line break in its place,
  // would be put back together by that.
  masked = maskPieces(masked.replace(/\s+/g, " ").trim(), pieces)
  return masked.length > limit || cut ? `${masked.slice(0, limit)}...` : masked
}
