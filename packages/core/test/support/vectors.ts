import { readFileSync } from "node:fs"

/**
 * The vendor's documented examples as data (`test/fixtures/vectors.json`, a copy of the specification's vectors kept in
 * the repository so that a fresh clone's tests need nothing outside it): test vectors, never edited to make a test pass.
 */
export interface Vectors {
  readonly request: { readonly requests: ReadonlyArray<{ readonly api_suffix: string; readonly request_id: string }> }
  readonly response: { readonly responses: ReadonlyArray<Record<string, unknown>> }
  readonly responseWithRowError: { readonly responses: ReadonlyArray<Record<string, unknown>> }
  readonly onlyBulkError: unknown
  readonly internalServiceError: { readonly status: number; readonly body: unknown }
  readonly processingTimeHeader: string
}

export const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8")) as Vectors
