/**
 * Flags and arguments that several commands share, with the help text a user sees.
 */
import type { ArgumentSpec, FlagSpec } from "./cli/CommandSpec.ts"

export const pool = {
  kind: "string",
  metavar: "ID",
  required: true,
  description: "Id of the ring pool (the number in the RingPool's API URL)"
} as const satisfies FlagSpec

export const key = {
  kind: "secret",
  metavar: "KEY",
  description:
    "The ring pool's key (default: RINGPOOL_KEY). Prefer the variable: a flag is visible to other users in `ps`"
} as const satisfies FlagSpec

export const baseUrl = {
  kind: "string",
  metavar: "URL",
  description: "The service (default: RINGPOOL_BASE_URL, else https://pnapi.invoca.net)"
} as const satisfies FlagSpec

export const params = {
  name: "NAME=VALUE",
  arity: "variadic",
  description: "RingPool parameters, e.g. m1=autos (at least one; a value may be empty: m1=)"
} as const satisfies ArgumentSpec
