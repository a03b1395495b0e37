/**
 * `--dry-run`: every row checked as a real run would check it (the readers' rules, then the core's, with the
 * default key), and shown as the `api_suffix` it would be sent with. Nothing is sent: no client is even made.
 *
 * The suffix is masked twice: its `ring_pool_key` value (under any encoding of the name), and any piece of the
 * row's key elsewhere in it (a parameter that holds the key by mistake), as the core masks the service's texts.
 */
import { AllocationRequest, ApiSuffix, RingPoolError } from "@ringpool/core"
import { Redacted } from "effect"
import type { InputRow } from "../input/InputRow.ts"
import * as ResultRow from "../output/ResultRow.ts"
import * as Secrets from "../Secrets.ts"

export const check = (
  rows: ReadonlyArray<InputRow>,
  defaultKey: Redacted.Redacted<string> | undefined
): Array<ResultRow.ResultRow> => {
  // The default key, and every key the process was given (`RINGPOOL_KEY` when `--key` overrides it, too).
  const others = [
    ...new Set([...(defaultKey === undefined ? [] : [Redacted.value(defaultKey)]), ...Secrets.knownKeys()])
  ]
  return rows.map((row) => {
    if (!("request" in row)) return ResultRow.fromInvalid(row)
    const valid = AllocationRequest.validate(row.request, defaultKey)
    if (valid instanceof RingPoolError.RingPoolError) return ResultRow.fromError(row.line, row.request.requestId, valid)
    return ResultRow.fromCheck(row.line, valid.requestId, masked(ApiSuffix.make(valid), valid.ringPoolKey, others))
  })
}

/**
 * The suffix masked of its own key, and of the process's other keys (a parameter holding `--key`'s value by
 * mistake). All at once when another is there: masked one after the other, the first could cut a piece out of the
 * second. (Each key's pieces are made once; a set's only for a row that holds more than its own.)
 */
const masked = (suffix: string, rowKey: Redacted.Redacted<string>, others: ReadonlyArray<string>): string => {
  const text = ApiSuffix.mask(suffix)
  const own = Redacted.value(rowKey)
  const held = others.filter((key) => key !== own && RingPoolError.maskKey(text, key) !== text)
  return RingPoolError.maskKey(text, held.length === 0 ? own : [own, ...held])
}
