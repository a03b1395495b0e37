/**
 * The options of `ringPool()`, their defaults, and their checks. Options are resolved once, when the middleware is
 * created, into a `Config` with every default applied; a wrong option throws a `TypeError` that says what to write.
 *
 * @since 0.1.0
 */
import { type AllocationRequest, ApiSuffix, type PromiseClient } from "@ringpool/core"
import type { Request } from "express"
import * as Fallback from "./Fallback.ts"
import * as Report from "./Report.ts"
import * as SafeValue from "./SafeValue.ts"
import { sharedClient } from "./SharedClient.ts"
import { defaultSkip } from "./Skip.ts"
import * as UnknownName from "./UnknownName.ts"
import { memoryStore, type VisitorStore } from "./VisitorStore.ts"

/**
 * The visit's RingPool parameters: a record, or name/value pairs when order or repeated names matter.
 * At least one, values may be empty strings (`{ m1: "" }`).
 *
 * @since 0.1.0
 * @category models
 */
export type Params = AllocationRequest.Params

/**
 * A RingPool: its id and its key. Without a key, the client's default key is used (`RINGPOOL_KEY` for the client
 * made from the environment).
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolRef {
  readonly id: string | number
  readonly key?: string | undefined
}

/**
 * What the middleware needs of a client: `allocate`. Any client from `createRingPoolClient` fits.
 *
 * @since 0.1.0
 * @category models
 */
export type Allocator = Pick<PromiseClient.PromiseRingPoolClient, "allocate">

/**
 * @since 0.1.0
 * @category models
 */
export interface StickyOptions {
  /** The visitor cookie's name (default `ringpool_visitor`). */
  readonly cookieName?: string | undefined
  /**
   * How long a visitor keeps a number, in seconds (default 1800, the documented example of a pool's
   * `lifetime_seconds`). Keep it at most the pool's lifetime: after that the service may give the number to someone else.
   */
  readonly ttlSeconds?: number | undefined
  /** Where numbers are kept (default: `memoryStore()`, in this process, bounded). */
  readonly store?: VisitorStore | undefined
  /**
   * Sign visitor ids with this secret (at least 32 characters), so that only ids this site issued are adopted;
   * a list rotates secrets: the first signs, every one is accepted. Default: none, ids are adopted unsigned.
   */
  readonly secret?: string | ReadonlyArray<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RingPoolOptions {
  /** The RingPool to allocate from, or a function of the request that picks one (several pools per site). Required. */
  readonly pool: PoolRef | ((req: Request) => PoolRef | Promise<PoolRef>)
  /** The visit's RingPool parameters, usually a function of the request. Required. */
  readonly params: Params | ((req: Request) => Params | Promise<Params>)
  /** A client from `createRingPoolClient`. Default: one client for the whole process, made from `RINGPOOL_*`. */
  readonly client?: Allocator | undefined
  /** The number pages show when none is allocated, or a function of the request. Default: none (see `RingPoolLocals`). */
  readonly fallback?: Fallback.FallbackNumber | ((req: Request) => Fallback.FallbackNumber | undefined) | undefined
  /** The most a page waits for its number, in milliseconds, store included (default 250). */
  readonly timeoutMs?: number | undefined
  /** On a failure, serve the fallback (true, default) or pass the error to `next(err)` (false). */
  readonly failOpen?: boolean | undefined
  /** Hears of every failure served with the fallback. Default: a warning on the console, at most one line per minute. */
  readonly onError?: ((error: Error, req: Request) => void) | undefined
  /** Which requests get no number; replaces the default rules (`defaultSkip`: bots, `HEAD`, `OPTIONS`, prefetches). */
  readonly skip?: ((req: Request) => boolean) | undefined
  /** Keep a visitor's number across page views (default: on, with the defaults of `StickyOptions`), or `false`. */
  readonly sticky?: boolean | StickyOptions | undefined
}

/**
 * Stickiness with its defaults applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedSticky {
  readonly cookieName: string
  readonly ttlSeconds: number
  readonly store: VisitorStore
  /** Empty when ids are not signed. */
  readonly secrets: ReadonlyArray<string>
}

/**
 * The options with every default applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  readonly pool: (req: Request) => PoolRef | Promise<PoolRef>
  readonly params: (req: Request) => Params | Promise<Params>
  readonly client: Allocator
  readonly fallback: (req: Request) => Fallback.ResolvedFallback | undefined
  readonly timeoutMs: number
  readonly failOpen: boolean
  readonly onError: (error: Error, req: Request) => void
  readonly skip: (req: Request) => boolean
  /** `undefined` when stickiness is off. */
  readonly sticky: ResolvedSticky | undefined
}

const optionNames = ["pool", "params", "client", "fallback", "timeoutMs", "failOpen", "onError", "skip", "sticky"]
const stickyNames = ["cookieName", "ttlSeconds", "store", "secret"]

// 32 characters of a random secret (what `openssl rand -base64 32` prints is 44) are far beyond guessing.
const minSecretLength = 32

// setTimeout's limit: a longer budget would fire at once.
const maxTimeoutMs = 2_147_483_647

const invalid = (text: string): never => {
  throw new TypeError(`ringPool(): ${text}`)
}

const unknownOption = (where: string, name: string, known: ReadonlyArray<string>): never =>
  invalid(UnknownName.describe(where, name, known))

const poolExample = 'pool: { id: "123", key: process.env.RINGPOOL_KEY }'
const paramsExample = 'params: (req) => ({ m1: String(req.query.utm_source ?? "") })'

/**
 * Why a pool is unusable, or `undefined`. `keyRequired`: no default key can stand in for a missing one.
 * The key is secret: messages name the field, never its value.
 *
 * @since 0.1.0
 * @category validation
 */
export const poolProblem = (pool: unknown, keyRequired: boolean): string | undefined => {
  if (pool === null || typeof pool !== "object") {
    return `pool must be the RingPool to allocate from, e.g. ${poolExample}, or a function of the request that returns one`
  }
  for (const name of Object.keys(pool)) {
    if (name !== "id" && name !== "key")
      return `pool has an unknown field ${JSON.stringify(name)}; write ${poolExample}`
  }
  const { id, key } = pool as Record<string, unknown>
  if (!((typeof id === "string" && id !== "") || (typeof id === "number" && Number.isSafeInteger(id) && id >= 0))) {
    return `pool.id must be the RingPool's id, a non-empty string or a whole number, e.g. ${poolExample}`
  }
  if (key !== undefined && typeof key !== "string") return "pool.key must be a string, the RingPool's key"
  if ((key === undefined || key === "") && keyRequired) {
    return `pool.key is missing: write ${poolExample} and set RINGPOOL_KEY, or pass the key itself`
  }
  return undefined
}

/**
 * Why parameters are unusable, or `undefined`.
 *
 * @since 0.1.0
 * @category validation
 */
export const paramsProblem = (params: unknown): string | undefined => {
  if (params === null || typeof params !== "object") {
    return `params must be the RingPool parameters or a function of the request that returns them, e.g. ${paramsExample}`
  }
  const pairs: ReadonlyArray<unknown> = Array.isArray(params) ? params : Object.entries(params)
  if (pairs.length === 0) return 'params needs at least one parameter, even with an empty value: { m1: "" }'
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
      return 'params given as pairs must be [name, value] strings, e.g. [["m1", "autos"]]'
    }
    // The key travels in its own field; as a parameter it would be sent, and logged, as campaign data.
    if (ApiSuffix.isKeyName(pair[0])) return "params may not hold the ring pool key: give it as pool.key"
    if (typeof pair[1] !== "string") {
      return `params.${pair[0]} must be a string (write String(value) or "" for a missing value)`
    }
  }
  return undefined
}

const checkFunction = <F>(name: string, value: unknown, example: string): F | undefined => {
  if (value === undefined) return undefined
  if (typeof value !== "function") invalid(`${name} must be a function, e.g. ${example}`)
  return value as F
}

// The secret is never echoed: messages say what is wrong with it, not what it is.
const resolveSecrets = (secret: StickyOptions["secret"]): ReadonlyArray<string> => {
  if (secret === undefined) return []
  const secrets: ReadonlyArray<unknown> =
    typeof secret === "string" ? [secret] : Array.isArray(secret) ? secret : [secret]
  if (secrets.length === 0)
    return invalid("sticky.secret must be a string, or a non-empty list of strings (the first signs)")
  for (const one of secrets) {
    if (typeof one !== "string" || one.length < minSecretLength) {
      return invalid(
        `sticky.secret must be at least ${minSecretLength} characters of random text, e.g. the output of \`openssl rand -base64 32\` from your secrets store`
      )
    }
  }
  return secrets as ReadonlyArray<string>
}

const resolveSticky = (sticky: RingPoolOptions["sticky"]): Config["sticky"] => {
  if (sticky === false) return undefined
  const options: StickyOptions = sticky === undefined || sticky === true ? {} : sticky
  if (options === null || typeof options !== "object") {
    return invalid("sticky must be false, or an object such as { ttlSeconds: 1800 }")
  }
  for (const name of Object.keys(options))
    if (!stickyNames.includes(name)) unknownOption("sticky option", name, stickyNames)
  const { cookieName = "ringpool_visitor", ttlSeconds = 1800, store } = options
  // The token characters of RFC 6265 / RFC 9110: anything else is not a valid cookie name.
  if (typeof cookieName !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    return invalid('sticky.cookieName must be a cookie name such as "ringpool_visitor"')
  }
  if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    return invalid(
      `sticky.ttlSeconds must be a positive number of seconds, at most the pool's lifetime_seconds (e.g. 1800), got ${SafeValue.describe(ttlSeconds)}`
    )
  }
  if (
    store !== undefined &&
    (store === null ||
      typeof store !== "object" ||
      typeof store.get !== "function" ||
      typeof store.set !== "function" ||
      typeof store.delete !== "function")
  ) {
    return invalid("sticky.store must have get(key), set(key, value, ttlSeconds) and delete(key), e.g. memoryStore()")
  }
  return { cookieName, ttlSeconds, store: store ?? memoryStore(), secrets: resolveSecrets(options.secret) }
}

const resolveFallback = (fallback: RingPoolOptions["fallback"]): Config["fallback"] => {
  if (fallback === undefined) return () => undefined
  if (typeof fallback === "function") {
    // Its result is checked as a fallback given as a value is: a refused one is reported, and the page gets none.
    return (req) => {
      const value = fallback(req)
      if (value === undefined) return undefined
      const problem = Fallback.problem(value)
      if (problem !== undefined) throw new TypeError(`ringPool(): the fallback function's result ${problem}`)
      return Fallback.resolve(value)
    }
  }
  const problem = Fallback.problem(fallback)
  if (problem !== undefined) {
    invalid(
      `fallback ${problem}: write fallback: { promoNumber: "8005550100" }, the number pages show without a tracking number`
    )
  }
  const resolved = Fallback.resolve(fallback)
  return () => resolved
}

/**
 * Applies the defaults and checks every option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: RingPoolOptions): Config => {
  if (options === null || typeof options !== "object") {
    return invalid(`expected options such as ringPool({ ${poolExample}, ${paramsExample} })`)
  }
  for (const name of Object.keys(options)) if (!optionNames.includes(name)) unknownOption("option", name, optionNames)
  const { pool, params, client, timeoutMs = 250, failOpen = true } = options

  if (
    client !== undefined &&
    (client === null || typeof client !== "object" || typeof (client as Allocator).allocate !== "function")
  ) {
    invalid("client must be a client from createRingPoolClient({ ... }), or left out to use the RINGPOOL_* environment")
  }
  // A client of the user's may have a default key; the shared one has one when RINGPOOL_KEY is set.
  const keyFromEnvironment = client !== undefined || (process.env.RINGPOOL_KEY ?? "") !== ""

  if (pool === undefined) return invalid(`pool is required: the RingPool to allocate from, e.g. ${poolExample}`)
  let poolOf: Config["pool"]
  if (typeof pool === "function") poolOf = pool
  else {
    const problem = poolProblem(pool, !keyFromEnvironment)
    if (problem !== undefined) invalid(problem)
    poolOf = () => pool
  }

  if (params === undefined) {
    return invalid(
      `params is required: a function of the request that returns the RingPool parameters, e.g. ${paramsExample}`
    )
  }
  let paramsOf: Config["params"]
  if (typeof params === "function") paramsOf = params
  else {
    const problem = paramsProblem(params)
    if (problem !== undefined) invalid(problem)
    paramsOf = () => params
  }

  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > maxTimeoutMs) {
    invalid(`timeoutMs must be a positive number of milliseconds such as 250, got ${SafeValue.describe(timeoutMs)}`)
  }
  if (typeof failOpen !== "boolean") invalid(`failOpen must be true or false, got ${SafeValue.describe(failOpen)}`)

  const onError = checkFunction<Config["onError"]>(
    "onError",
    options.onError,
    "onError: (error, req) => logger.warn(error.message)"
  )
  const skip = checkFunction<Config["skip"]>(
    "skip",
    options.skip,
    'skip: (req) => defaultSkip(req) || req.path === "/health"'
  )

  const fallback = resolveFallback(options.fallback)
  const sticky = resolveSticky(options.sticky)

  return {
    pool: poolOf,
    params: paramsOf,
    // Last: the shared client is made only once every other option is known to be right.
    client: client ?? sharedClient(),
    fallback,
    timeoutMs,
    failOpen,
    onError: onError ?? Report.consoleReporter(),
    skip: skip ?? defaultSkip,
    sticky
  }
}
