import { readFileSync } from "node:fs"

/** The seed's examples as data (`/work/shared/spec/vectors.json`): test vectors, never edited to make a test pass. */
export interface Vectors {
  readonly request: { readonly requests: ReadonlyArray<{ readonly api_suffix: string; readonly request_id: string }> }
  readonly response: { readonly responses: ReadonlyArray<Record<string, unknown>> }
  readonly responseWithRowError: { readonly responses: ReadonlyArray<Record<string, unknown>> }
  readonly onlyBulkError: unknown
  readonly internalServiceError: { readonly status: number; readonly body: unknown }
  readonly processingTimeHeader: string
}

export const vectors = JSON.parse(
  readFileSync(new URL("../../../../../shared/spec/vectors.json", import.meta.url), "utf8")
) as Vectors
