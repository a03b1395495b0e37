/**
 * Hiding ring pool keys in texts we did not write (a service's messages, bodies, echoed URLs).
 *
 * A key can reach such a text in any form a URL or a form gives it: as written, percent-encoded (either case of
 * hex digits, `%20` or `+` for a space), and in part (a server that cuts its own message, or our excerpt of it).
 * So every run of 6 or more characters that is a piece of any of those forms is masked, not only the whole key.
 * Six is the shortest piece worth hiding that ordinary words rarely match; a key shorter than that is masked whole.
 */

const placeholder = "<redacted>"
const fragment = 6
const quotedKey = /(API Key ')[^']*(')/gi

const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** Every form the key can take in a URL, a form body or a message. */
const formsOf = (key: string): Set<string> => {
  const forms = new Set<string>([key, key.replace(/ /g, "+")])
  for (const encoded of [encodeURIComponent(key), rfc3986(key)]) {
    const lower = encoded.replace(/%[0-9A-F]{2}/g, (triplet) => triplet.toLowerCase())
    for (const form of [encoded, lower]) forms.add(form).add(form.replace(/%20/g, "+"))
  }
  return forms
}

/** The pieces to look for: every 6-character window of every form, and forms too short for one, whole. */
export class KeyPieces {
  readonly windows = new Set<string>()
  readonly short: Array<string> = []
  /**
   * What a text must contain to hold any piece: every 6-character window of a form contains one of the form's
   * 3-character slices that start at a multiple of 3, so a text holding none of those holds no piece.
   */
  readonly probes = new Set<string>()
  /** The longest form: a text cut after masking needs this much more than it keeps. */
  longest = 0

  constructor(keys: Iterable<string>) {
    for (const key of keys) {
      if (key.length === 0) continue
      for (const form of formsOf(key)) {
        if (form.length > this.longest) this.longest = form.length
        if (form.length < fragment) {
          this.short.push(form)
          this.probes.add(form)
          continue
        }
        for (let i = 0; i + fragment <= form.length; i++) this.windows.add(form.slice(i, i + fragment))
        for (let i = 0; i + 3 <= form.length; i += 3) this.probes.add(form.slice(i, i + 3))
      }
    }
  }

  get empty(): boolean {
    return this.windows.size === 0 && this.short.length === 0
  }

  /** Whether the text may hold a piece: a quick test that lets most texts through unscanned. */
  mightHold(text: string): boolean {
    for (const probe of this.probes) if (text.includes(probe)) return true
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
  pieces.mightHold(text) ? maskPieces(text, pieces) : text

/**
 * The text with the documented `InvalidKey` quote masked and every piece of the keys replaced by `<redacted>`
 * (neighbouring pieces become one placeholder).
 */
export const maskPieces = (text: string, pieces: KeyPieces): string => {
  text = text.replace(quotedKey, `$1${placeholder}$2`)
  // A text with none of the probes holds no piece: most texts are let through without the scan below.
  if (pieces.empty || !pieces.mightHold(text)) return text
  let covered: Uint8Array | undefined
  const cover = (from: number, to: number) => {
    covered ??= new Uint8Array(text.length)
    covered.fill(1, from, to)
  }
  if (pieces.windows.size > 0) {
    // Every window of a form holds one of its probes (see `probes`), so only the windows around a probe found in
    // the text are looked up, each at most once: a text with a few probes costs a few lookups, not one a character.
    let looked: Uint8Array | undefined
    for (const probe of pieces.probes) {
      for (let at = text.indexOf(probe); at !== -1; at = text.indexOf(probe, at + 1)) {
        const last = Math.min(at, text.length - fragment)
        for (let start = Math.max(0, at + probe.length - fragment); start <= last; start++) {
          looked ??= new Uint8Array(text.length)
          if (looked[start] === 1) continue
          looked[start] = 1
          if (pieces.windows.has(text.slice(start, start + fragment))) cover(start, start + fragment)
        }
      }
    }
  }
  for (const form of pieces.short) {
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) cover(at, at + form.length)
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
  masked = masked.replace(/\s+/g, " ").trim()
  return masked.length > limit || cut ? `${masked.slice(0, limit)}...` : masked
}
