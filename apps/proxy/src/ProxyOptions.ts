/**
 * The options of `startProxy`, their defaults, and their checks: a wrong option throws a `TypeError` that says
 * what to write instead, before anything listens.
 *
 * Undocumented points decided here:
 * - `timeoutMs` 10,000: the budget of one request, queueing and retries included. It is longer than the core's
 *   default 5 s per bulk call, so that a slow service answers `UpstreamTimeout` (the more precise error) and a
 *   retried 503 still fits; callers rendering pages should set their own, shorter one.
 * - `maxUrlBytes` 8,192: a single-API URL is a few hundred bytes; 8 KiB admits every sane one.
 * - `maxBodyBytes` 1 MiB: a bulk row is about 150 bytes, so about 7,000 rows per call.
 *
 * @since 0.1.0
 */
import type { PromiseClient } from "@ringpool/core"

/**
 * @since 0.1.0
 * @category models
 */
export interface ProxyOptions {
  /** Default 8080; 0 picks any free port (read it from `url`). */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. The proxy has no authentication of its own: bind elsewhere only behind one. */
  readonly host?: string | undefined
  /** The Bulk RingPool service (default `RINGPOOL_BASE_URL`, else `https://pnapi.invoca.net`). Not with `client`. */
  readonly baseUrl?: string | undefined
  /** The bulk API's date segment (default `RINGPOOL_API_VERSION`, else `2013-07-01`). Not with `client`. */
  readonly apiVersion?: string | undefined
  /** A request's budget in milliseconds (default 10,000); past it, it answers 504 `ProxyTimeout`. */
  readonly timeoutMs?: number | undefined
  /**
   * The client to allocate through (from `createRingPoolClient`); the proxy does not close it. Default: one made
   * from `baseUrl`, `apiVersion` and the `RINGPOOL_*` environment, closed with the proxy.
   */
  readonly client?: PromiseClient.PromiseRingPoolClient | undefined
  /** Longest request URL in bytes (default 8,192); longer ones answer 414. */
  readonly maxUrlBytes?: number | undefined
  /** Largest bulk body in bytes (default 1 MiB); larger ones answer 413. */
  readonly maxBodyBytes?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly port: number
  readonly host: string
  readonly timeoutMs: number
  readonly maxUrlBytes: number
  readonly maxBodyBytes: number
  /** What the proxy's own client is made with (over the environment). */
  readonly clientOverrides: { readonly baseUrl?: string; readonly apiVersion?: string }
}

const known = new Set(["port", "host", "baseUrl", "apiVersion", "timeoutMs", "client", "maxUrlBytes", "maxBodyBytes"])

const integer = (name: string, value: unknown, fallback: number, min: number, max: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`startProxy: ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return value
}

/**
 * Applies the defaults and checks every option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: ProxyOptions = {}): ResolvedOptions => {
  if (options === null || typeof options !== "object") {
    throw new TypeError("startProxy: options must be an object like { port: 8080 }")
  }
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw new TypeError(`startProxy: unknown option ${JSON.stringify(name)}; known: ${[...known].join(", ")}`)
    }
  }
  const { host = "127.0.0.1", baseUrl, apiVersion, client } = options
  if (typeof host !== "string" || host === "")
    throw new TypeError("startProxy: host must be an address such as 127.0.0.1")
  if (client !== undefined) {
    if (typeof client?.allocate !== "function") {
      throw new TypeError("startProxy: client must be a client from createRingPoolClient() of @ringpool/core")
    }
    if (baseUrl !== undefined || apiVersion !== undefined) {
      throw new TypeError(
        "startProxy: baseUrl and apiVersion configure the client the proxy makes; with client, give them to createRingPoolClient instead"
      )
    }
  }
  const clientOverrides: { baseUrl?: string; apiVersion?: string } = {}
  if (baseUrl !== undefined) clientOverrides.baseUrl = baseUrl
  if (apiVersion !== undefined) clientOverrides.apiVersion = apiVersion
  return {
    port: integer("port", options.port, 8080, 0, 65535),
    host,
    timeoutMs: integer("timeoutMs", options.timeoutMs, 10_000, 1, 2_147_483_647),
    maxUrlBytes: integer("maxUrlBytes", options.maxUrlBytes, 8_192, 256, 1_048_576),
    maxBodyBytes: integer("maxBodyBytes", options.maxBodyBytes, 1_048_576, 1_024, 1_073_741_824),
    clientOverrides
  }
}
