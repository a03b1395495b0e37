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

export const check = (
  rows: ReadonlyArray<InputRow>,
  defaultKey: Redacted.Redacted<string> | undefined
): Array<ResultRow.ResultRow> =>
  rows.map((row) => {
    if (!("request" in row)) return ResultRow.fromInvalid(row)
    const valid = AllocationRequest.validate(row.request, defaultKey)
    if (valid instanceof RingPoolError.RingPoolError) return ResultRow.fromError(row.line, row.request.requestId, valid)
    return ResultRow.fromCheck(row.line, valid.requestId, masked(ApiSuffix.make(valid), valid.ringPoolKey, defaultKey))
  })

/**
 * The suffix masked of its own key, and of the default key when the row has another (a parameter holding
 * `--key`'s value by mistake). Both at once when both are there: masked one after the other, the first could cut a
 * piece out of the second. (Each key's pieces are made once; the pair's only for a row that holds both.)
 */
const masked = (
  suffix: string,
  rowKey: Redacted.Redacted<string>,
  defaultKey: Redacted.Redacted<string> | undefined
): string => {
  const text = ApiSuffix.mask(suffix)
  const own = RingPoolError.maskKey(text, Redacted.value(rowKey))
  if (defaultKey === undefined || Redacted.value(defaultKey) === Redacted.value(rowKey)) return own
  const other = RingPoolError.maskKey(text, Redacted.value(defaultKey))
  return other === text ? own : RingPoolError.maskKey(text, [Redacted.value(rowKey), Redacted.value(defaultKey)])
}
