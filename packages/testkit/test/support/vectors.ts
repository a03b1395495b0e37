// The vendor's documented examples, from the one fixture file the repository keeps for them (the core's).
export { type Vectors, vectors } from "../../../core/test/support/vectors.ts"
