/**
 * `@ringpool/core/node`: the client on Node's own keep-alive transport (`node:http`, `node:https`), ready to provide.
 * It needs no `HttpClient` and loads no undici.
 *
 * ```ts
 * import { RingPoolClient } from "@ringpool/core"
 * import * as RingPoolNode from "@ringpool/core/node"
 * program.pipe(Effect.provide(RingPoolNode.layerConfig()))
 * ```
 *
 * @since 0.1.0
 */
import { type Config, Effect, Layer } from "effect"
import * as ClientOptions from "./ClientOptions.ts"
import * as NodeTransport from "./internal/nodeTransport.ts"
import * as RingPoolClient from "./RingPoolClient.ts"
import type * as RingPoolError from "./RingPoolError.ts"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient.RingPoolClient, RingPoolError.RingPoolError> =>
  Layer.effect(RingPoolClient.RingPoolClient, RingPoolClient.makeWith(options, NodeTransport.make))

/**
 * The options from the environment (`RINGPOOL_*`), with `overrides` on top.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient.RingPoolClient, RingPoolError.RingPoolError | Config.ConfigError> =>
  Layer.unwrap(
    ClientOptions.config.pipe(
      Effect.flatMap((fromEnv) => ClientOptions.checked(ClientOptions.withOverrides(fromEnv, overrides))),
      Effect.map(layer)
    )
  )
