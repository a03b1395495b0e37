/**
 * Helpers for the readers' tests: feed text in pieces (as a stream would) and show rows plainly.
 */
import { assert } from "@effect/vitest"
import { Redacted } from "effect"
import { type Decoder, UnreadableInput } from "../../src/input/Decoder.ts"
import type { InputRow } from "../../src/input/InputRow.ts"

/** All rows of `text`, pushed `size` characters at a time, so that records cross piece boundaries. */
export const decodeAll = (decoder: Decoder, text: string, size = text.length || 1): Array<InputRow> => {
  const rows: Array<InputRow> = []
  for (let i = 0; i < text.length; i += size) rows.push(...decoder.push(text.slice(i, i + size)))
  rows.push(...decoder.end())
  return rows
}

export type PlainRow =
  | { line: number; pool: string; key?: string; params: Array<[string, string]>; requestId?: string }
  | { line: number; problem: string; requestId?: string }

/** A row as plain data (the key revealed), for deep equality. */
export const plain = (row: InputRow): PlainRow => {
  if ("problem" in row) return row.requestId === undefined ? { line: row.line, problem: row.problem } : { ...row }
  const { ringPoolId, ringPoolKey, params, requestId } = row.request
  const key =
    ringPoolKey === undefined ? undefined : typeof ringPoolKey === "string" ? ringPoolKey : Redacted.value(ringPoolKey)
  return {
    line: row.line,
    pool: String(ringPoolId),
    ...(key === undefined ? {} : { key }),
    params: (Array.isArray(params) ? params : Object.entries(params)).map(([n, v]) => [n, v] as [string, string]),
    ...(requestId === undefined ? {} : { requestId })
  }
}

/** The message of the `UnreadableInput` that reading `text` must throw (the whole input refused, not one row). */
export const refusalOf = (read: () => unknown): string => {
  try {
    read()
  } catch (error) {
    assert.instanceOf(error, UnreadableInput)
    return (error as UnreadableInput).message
  }
  return assert.fail("expected UnreadableInput")
}
