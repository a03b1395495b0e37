/**
 * A bulk call's body read into its entries, with the core's schema of what a server accepts (`requests`, or the
 * prose's `request`); each entry is checked on its own later, so that one bad row fails alone.
 */
import { BulkProtocol } from "@ringpool/core"
import { Exit, Schema } from "effect"

const decodeBody = Schema.decodeUnknownExit(BulkProtocol.LenientRequestBody)

/** The body of a whole-call error. */
export const errorBody = (errorClass: string, invalidData: string): BulkProtocol.ErrorBody => ({
  errors: { class: errorClass, invalid_data: invalidData }
})

/** The entries of a bulk body, or the whole-call error body that refuses it. */
export const entriesOf = (text: string): ReadonlyArray<unknown> | BulkProtocol.ErrorBody => {
  let json: unknown
  try {
    // RFC 8259 lets a parser ignore a byte order mark; a sloppy client sends one, and bytes lose it when decoded.
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch {
    return errorBody("InvalidJson", 'the body must be JSON: {"requests":[{"api_suffix":"...","request_id":"..."}]}')
  }
  const decoded = decodeBody(json)
  if (Exit.isFailure(decoded)) {
    return errorBody("InvalidRequest", 'the body must have a "requests" array: {"requests":[{"api_suffix":"..."}]}')
  }
  const entries = "requests" in decoded.value ? decoded.value.requests : decoded.value.request
  if (entries.length === 0) return errorBody("EmptyRequest", "requests must contain at least one entry")
  return entries
}

/** The entries of a body that was read once already (none, should it not parse: it did when it was served). */
export const entriesAgain = (text: string): ReadonlyArray<unknown> => {
  const entries = entriesOf(text)
  return "errors" in entries ? [] : entries
}

/** Whether a text takes more than `limit` bytes in UTF-8, counted only when its length leaves it in doubt. */
export const exceedsBytes = (text: string, limit: number): boolean => {
  if (text.length > limit) return true
  if (text.length * 3 <= limit) return false
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
    if (bytes > limit) return true
  }
  return false
}
