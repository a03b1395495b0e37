import { readFileSync } from "node:fs"

/** The seed's literal examples (../shared/spec/vectors.json), unchanged. */
export const vectors = JSON.parse(
  readFileSync(new URL("../../../../../shared/spec/vectors.json", import.meta.url), "utf8")
) as {
  request: { requests: Array<{ api_suffix: string; request_id: string }> }
  response: { responses: Array<Record<string, unknown>> }
  responseWithRowError: { responses: Array<Record<string, unknown>> }
  onlyBulkError: unknown
  internalServiceError: { status: number; body: unknown }
}
