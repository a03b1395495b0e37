// The baselines the client is measured against: what a team writes by hand today, one bulk call of one row per
// allocation over a keep-alive connection. Both check the echoed request_id, as any careful hand-written client would.
import { bulkPoster } from "./bulkPost.mjs"

const suffixOf = (row) =>
  `${row.ringPoolId}/allocate_number.json?ring_pool_key=${encodeURIComponent(row.ringPoolKey)}` +
  Object.entries(row.params)
    .map(([name, value]) => `&${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("")

const bodyOf = (row) => JSON.stringify({ requests: [{ api_suffix: suffixOf(row), request_id: row.requestId }] })

const firstRow = (text, row) => {
  const answer = JSON.parse(text).responses[0]
  if (answer.request_id !== row.requestId) throw new Error("request_id mismatch")
  if (answer.error_class !== undefined) throw new Error(answer.error_class)
  return answer
}

/** fetch (undici) keeps connections alive by default. */
export const fetchBaseline = (url) => {
  const bulkUrl = `${url}/api/2013-07-01/bulk.json`
  return async (row) => {
    const response = await fetch(bulkUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodyOf(row)
    })
    return firstRow(await response.text(), row)
  }
}

/** node:http with a keep-alive agent: the strictest simple baseline (less per-request work than fetch). */
export const httpBaseline = (url, maxSockets = 256) => {
  const post = bulkPoster(url, maxSockets)
  const allocate = async (row) => firstRow((await post(bodyOf(row))).text, row)
  allocate.close = post.close
  return allocate
}
