/**
 * Node's keep-alive transport: undici's pool, one connection per bulk call in flight, kept open between calls
 * (the API's documentation strongly recommends a persistent connection).
 */
import { NodeHttpClient } from "@effect/platform-node"
import type { Layer } from "effect"
import type { HttpClient } from "effect/http"
import type { ResolvedOptions } from "../ClientOptions.ts"

export const layer = (options: Pick<ResolvedOptions, "maxInFlight">): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciOptions({
    connections: options.maxInFlight,
    keepAliveTimeout: 30_000,
    // No pipelining: a slow bulk call must not hold back the one queued behind it on the same socket.
    pipelining: 1
  })
