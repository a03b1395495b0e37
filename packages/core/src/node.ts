/**
 * `@ringpool/core/node`: the client on Node's keep-alive HTTP transport, ready to provide.
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
import * as RingPoolError from "./RingPoolError.ts"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient.RingPoolClient, RingPoolError.RingPoolError> =>
  Layer.unwrap(
    Effect.try({
      try: () => ClientOptions.resolve(options),
      catch: (error) => RingPoolError.make(new RingPoolError.InvalidRequest({ description: (error as Error).message }))
    }).pipe(Effect.map((resolved) => RingPoolClient.layer(options).pipe(Layer.provide(NodeTransport.layer(resolved)))))
  )

/**
 * The options from the environment (`RINGPOOL_*`), with `overrides` on top.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: ClientOptions.ClientOptions = {}
): Layer.Layer<RingPoolClient.RingPoolClient, RingPoolError.RingPoolError | Config.ConfigError> =>
  Layer.unwrap(Effect.map(ClientOptions.config, (fromEnv) => layer({ ...fromEnv, ...overrides })))
