/**
 * `@ringpool/express/redis`: a `VisitorStore` in Redis, so that every process of a site (cluster workers, containers
 * behind a load balancer) gives a visitor the same number.
 *
 * ```ts
 * import { redisStore } from "@ringpool/express/redis"
 * const store = redisStore({ url: "redis://127.0.0.1:6379", prefix: "ringpool:" })
 * app.use(ringPool({ pool, params, sticky: { store } }))
 * await store.close() // on shutdown
 * ```
 *
 * Built on node-redis (`redis`, an optional peer dependency): Redis's own client, with types, reconnection with
 * backoff, per-command timeouts and a bounded queue.
 *
 * @since 0.2.0
 */
import { createClient, TimeoutError } from "redis"
import * as SafeValue from "./SafeValue.ts"
import * as UnknownName from "./UnknownName.ts"
import { isVisitorNumber, type VisitorNumber, type VisitorStore } from "./VisitorStore.ts"

/**
 * @since 0.2.0
 * @category models
 */
export interface RedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  readonly url: string
  /** Put before every key, so the site's visitors share a Redis with other data (default `ringpool:`). */
  readonly prefix?: string | undefined
  /**
   * The most a command may wait, for a connection or an answer, before it fails (default 1000 ms). Pages never
   * wait longer than their `timeoutMs` anyway; this bounds what a stalled Redis can hold in memory.
   */
  readonly commandTimeoutMs?: number | undefined
  /** Commands waiting at most; past it they fail at once (default 10,000). Bounds memory while Redis is away. */
  readonly maxPending?: number | undefined
}

/**
 * A `VisitorStore` with `close()`, which waits for commands already sent and ends the connection.
 *
 * @since 0.2.0
 * @category models
 */
export interface RedisVisitorStore extends VisitorStore {
  readonly get: (key: string) => Promise<VisitorNumber | undefined>
  readonly set: (key: string, value: VisitorNumber, ttlSeconds: number) => Promise<void>
  readonly delete: (key: string) => Promise<void>
  readonly close: () => Promise<void>
}

const invalid = (text: string): never => {
  throw new TypeError(`redisStore(): ${text}`)
}

const positiveInteger = (name: string, value: unknown, fallback: number, example: string): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    return invalid(`${name} must be a positive whole number, e.g. ${example}, got ${SafeValue.describe(value)}`)
  }
  return value
}

// The URL may hold a password: messages name what is wrong with it, never the URL itself.
const checkUrl = (url: unknown): string => {
  if (typeof url !== "string") return invalid('url must be a string such as "redis://127.0.0.1:6379"')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return invalid('url is not a URL; write it as "redis://host:port", e.g. "redis://127.0.0.1:6379"')
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return invalid(`url must start with redis:// or rediss://, not ${parsed.protocol}//`)
  }
  return url
}

/**
 * The most of an entry a read takes: a visitor number's JSON is a few hundred bytes (at most about 8.5 KB, with the
 * longest tracking URL served), and a larger value (written by something else) is a miss, read no further
 * (`GETRANGE`), so a 50 MB value costs neither memory nor the page's time.
 */
const maxEntryBytes = 16 * 1024

// Only the fields of a visitor number are written, whatever else the object carries.
const serialize = (value: VisitorNumber): string =>
  JSON.stringify({
    paramsDigest: value.paramsDigest,
    promoNumber: value.promoNumber,
    promoNumberFormatted: value.promoNumberFormatted,
    trackingUrl: value.trackingUrl,
    expiresAt: value.expiresAt
  })

// A value that is not a visitor number (written by something else, or cut short) is a miss: the visitor gets a
// new number, whose write replaces it.
const deserialize = (text: string | null): VisitorNumber | undefined => {
  // `GETRANGE` of a missing key is "": a miss, as JSON.parse would make it.
  if (text === null || text === "" || text.length >= maxEntryBytes) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return isVisitorNumber(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * Creates the store and starts connecting. Entries expire in Redis with the number's lifetime (`SET ... PX`);
 * values are the `VisitorNumber` as JSON (a digest of the parameters, never the parameters or a key).
 *
 * While Redis is unreachable the client reconnects by itself, with backoff, and commands fail at once; a command
 * to a Redis that does not answer fails after `commandTimeoutMs` (the page waits at most its own `timeoutMs`).
 * The middleware reports each failure to `onError` as a `VisitorStoreError`: a visitor whose number cannot be read
 * gets the fallback, a new visitor still gets a number. Nothing is thrown into Express.
 *
 * @since 0.2.0
 * @category constructors
 */
export const redisStore = (options: RedisStoreOptions): RedisVisitorStore => {
  if (options === null || typeof options !== "object") {
    return invalid('expected options such as redisStore({ url: "redis://127.0.0.1:6379" })')
  }
  const known = ["url", "prefix", "commandTimeoutMs", "maxPending"]
  for (const name of Object.keys(options))
    if (!known.includes(name)) invalid(UnknownName.describe("option", name, known))
  const url = checkUrl(options.url)
  const prefix = options.prefix ?? "ringpool:"
  if (typeof prefix !== "string") invalid('prefix must be a string such as "ringpool:"')
  const commandTimeoutMs = positiveInteger("commandTimeoutMs", options.commandTimeoutMs, 1_000, "1000")
  const maxPending = positiveInteger("maxPending", options.maxPending, 10_000, "10000")

  const client = createClient({
    url,
    commandsQueueMaxLength: maxPending,
    commandOptions: { timeout: commandTimeoutMs },
    // Reconnects by itself on node-redis's default backoff (50 ms doubling, at most 2 s, with jitter).
    socket: { connectTimeout: Math.max(commandTimeoutMs, 1_000) }
  })
  // Connection errors are retried by the client; each command that fails because of one rejects on its own and
  // reaches the middleware's `onError`, naming the last one. Without a listener an 'error' event would end the process.
  let lastConnectionError: string | undefined
  /** Commands waiting for the first connection: failed at once when it fails. */
  const awaitingFirst = new Set<() => void>()
  client.on("error", (error: unknown) => {
    lastConnectionError = error instanceof Error ? error.message || error.name : String(error)
    for (const fail of [...awaitingFirst]) fail()
  })
  let everReady = false
  client.on("ready", () => {
    everReady = true
    lastConnectionError = undefined
  })
  client.connect().catch(() => undefined)
  let closed = false

  const connection = () =>
    client.isReady ? "" : ` (not connected${lastConnectionError === undefined ? "" : `: ${lastConnectionError}`})`

  // node-redis times out only commands not yet written; one written to a Redis that stalls would wait for ever.
  // This deadline covers both, with a message that says what happened.
  //
  // A connection that was up and is lost, or a first one that failed, fails commands at once while the client
  // reconnects, so pages do not wait out their budget during an outage; while the first connection is still being
  // made, commands wait for it (a process that has just started would otherwise fail its first page views), and
  // fail the moment it fails.
  const within = <A>(operation: string, send: () => Promise<A>): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      if (!client.isReady && (everReady || lastConnectionError !== undefined)) {
        reject(new Error(`Redis ${operation} failed${connection()}: the client is reconnecting`))
        return
      }
      const command = send()
      const late = () => new Error(`Redis did not answer ${operation} within ${commandTimeoutMs} ms${connection()}`)
      const timer = setTimeout(() => reject(late()), commandTimeoutMs)
      const first = () => {
        clearTimeout(timer)
        awaitingFirst.delete(first)
        reject(new Error(`Redis ${operation} failed${connection()}: the first connection could not be made`))
      }
      if (!everReady) awaitingFirst.add(first)
      command.then(
        (value) => {
          clearTimeout(timer)
          awaitingFirst.delete(first)
          resolve(value)
        },
        (cause: unknown) => {
          clearTimeout(timer)
          awaitingFirst.delete(first)
          if (cause instanceof TimeoutError) return reject(late())
          const reason = cause instanceof Error ? cause.message || cause.name : String(cause)
          reject(new Error(`Redis ${operation} failed: ${reason}${connection()}`, { cause }))
        }
      )
    })

  const key = (name: string) => `${prefix}${name}`

  return {
    get: async (name) => deserialize(await within("GET", () => client.getRange(key(name), 0, maxEntryBytes - 1))),
    set: async (name, value, ttlSeconds) => {
      const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000))
      await within("SET", () => client.set(key(name), serialize(value), { expiration: { type: "PX", value: ttlMs } }))
    },
    delete: async (name) => {
      await within("DEL", () => client.del(key(name)))
    },
    close: async () => {
      if (closed) return
      closed = true
      // Connected: let the commands already sent finish, for at most one command's time. Otherwise stop trying.
      if (client.isReady) await within("QUIT", () => client.close()).catch(() => client.destroy())
      else if (client.isOpen) client.destroy()
    }
  }
}
