/**
 * What the fake shows of a request (its logs, the 404 body, warnings on stderr) never holds a ring pool key: not
 * whole, not in any encoding, not any 6-character piece. Keys are masked when a log is read, not when a request is
 * served, so that serving costs nothing for it.
 *
 * Masking is the core's (`ApiSuffix.mask` by parameter name, `RingPoolError.maskKey` by the keys themselves); this
 * module decides where each applies:
 * - texts the fake writes about a request (paths, suffixes, error messages): masked by name, and every piece of the
 *   pools' keys and of the keys the request sent;
 * - values the caller wrote (parameters, request ids): masked whole when they hold a key, so that a test reads them
 *   as it wrote them otherwise.
 *
 * Decided here: a key shorter than 6 characters (`"k"` in a test) is masked where it stands as a value of its own
 * (a parameter equal to it, the key parameter, the `InvalidKey` quote), not as letters inside other words, where
 * masking would eat every `k` of every log and hide nothing worth hiding.
 */
import { ApiSuffix, RingPoolError } from "@ringpool/core"

const placeholder = "<redacted>"
const pieceLength = 6
// Joins the texts of one record so that one scan tells whether any of them holds a key. A key piece cannot span it
// unless the key holds it too, and then masking errs towards hiding.
const separator = "\u0000"
const delimiter = /([/?&;#=])/

const decoded = (text: string): string => {
  if (text.indexOf("%") === -1 && text.indexOf("+") === -1) return text
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

export class Redactor {
  private readonly long: Array<string> = []
  private readonly short = new Set<string>()

  constructor(keys: Iterable<string>) {
    for (const key of keys) this.add(key, this.long, this.short)
  }

  private add(key: string | undefined, long: Array<string>, short: Set<string>): void {
    if (key === undefined || key === "") return
    if (key.length >= pieceLength) long.push(key)
    else short.add(key)
  }

  private keysWith(sent: ReadonlyArray<string | undefined>): { long: Array<string>; short: Set<string> } {
    if (sent.length === 0) return { long: this.long, short: this.short }
    const long = [...this.long]
    const short = new Set(this.short)
    for (const key of sent) this.add(key, long, short)
    return { long, short }
  }

  /** A text the fake writes about a request, e.g. a path or an error message, safe to show. */
  text(text: string, sent: ReadonlyArray<string | undefined> = []): string {
    const byName = ApiSuffix.mask(text)
    const { long } = this.keysWith(sent)
    return RingPoolError.maskKey(byName, long)
  }

  /**
   * Whether none of these values (parameters, request ids, decoded) holds a key: the common case, answered with one
   * scan so that reading a large log stays cheap.
   */
  clean(values: ReadonlyArray<string | undefined>, sent: ReadonlyArray<string | undefined> = []): boolean {
    const { long, short } = this.keysWith(sent)
    const present = values.filter((value): value is string => value !== undefined && value !== "")
    if (short.size > 0 && present.some((value) => short.has(value))) return false
    if (long.length === 0 || present.length === 0) return true
    const joined = present.join(separator)
    return RingPoolError.maskKey(joined, long) === joined
  }

  /** A value the caller wrote, or the placeholder when it holds a key. */
  value(value: string, sent: ReadonlyArray<string | undefined> = []): string {
    return this.clean([value], sent) ? value : placeholder
  }

  /**
   * A URL, path or `api_suffix` as sent, safe to show: the key parameter masked whatever the spelling of its name;
   * every path segment, parameter name or value that holds a key (in any encoding: each is decoded first) masked
   * whole; and any piece of a key that is still written out masked too.
   */
  url(url: string, sent: ReadonlyArray<string | undefined> = []): string {
    const byName = ApiSuffix.mask(url)
    // Odd places hold the delimiters, even ones the segments, names and values between them.
    const parts = byName.split(delimiter)
    const between = parts.filter((_, i) => i % 2 === 0).map(decoded)
    const rewritten = this.clean(between, sent)
      ? byName
      : parts
          .map((part, i) =>
            i % 2 === 1 || part === "" || part === placeholder || this.clean([decoded(part)], sent) ? part : placeholder
          )
          .join("")
    return this.text(rewritten, sent)
  }
}
