/**
 * Flags and arguments that several commands share, with the help text a user sees.
 */
import { Argument, Flag } from "effect/cli"

export const pool = Flag.String("pool").pipe(
  Flag.withMetavar("ID"),
  Flag.withDescription("Id of the ring pool (the number in the RingPool's API URL)")
)

export const key = Flag.Redacted("key").pipe(
  Flag.withMetavar("KEY"),
  Flag.withDescription(
    "The ring pool's key (default: RINGPOOL_KEY). Prefer the variable: a flag is visible to other users in `ps`"
  ),
  Flag.optional
)

export const baseUrl = Flag.String("base-url").pipe(
  Flag.withMetavar("URL"),
  Flag.withDescription("The service (default: RINGPOOL_BASE_URL, else https://pnapi.invoca.net)"),
  Flag.optional
)

export const params = Argument.String("NAME=VALUE").pipe(
  Argument.withDescription("RingPool parameters, e.g. m1=autos (at least one; a value may be empty: m1=)"),
  Argument.variadic({ min: 1 })
)
