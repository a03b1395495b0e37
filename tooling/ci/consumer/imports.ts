// Every package's public entry points, typechecked as a strict `module: nodenext` consumer sees them. The CLI is a
// command first: a program gets its `main(argv)`, and its manifest's `bin` names the command.

import { main as ringpool } from "@ringpool/cli"
import cliManifest from "@ringpool/cli/package.json" with { type: "json" }
import { type Allocation, ApiSuffix, createRingPoolClient, type RingPoolClient, RingPoolError } from "@ringpool/core"
import * as RingPoolNode from "@ringpool/core/node"
import { type RingPoolLocals, ringPool } from "@ringpool/express"
import * as RingPoolProxy from "@ringpool/proxy"
import { FakeRingPool, startFakeRingPoolServer } from "@ringpool/testkit"
import type { Layer } from "effect"
import express, { type Express } from "express"

const fake = await startFakeRingPoolServer({ pools: [{ id: "123", key: "key", size: 1 }] })
const client = createRingPoolClient({ baseUrl: fake.url, maxBatchSize: 10 })
const allocation: Allocation.Allocation = await client.allocate({
  ringPoolId: "123",
  ringPoolKey: "key",
  params: { m1: "a" }
})
const suffix: string = ApiSuffix.make({ ringPoolId: "123", ringPoolKey: "key", params: { m1: "a" } })
const failure: unknown = new Error()
if (failure instanceof RingPoolError.RingPoolError) console.log(failure.reason._tag)

const app: Express = express()
app.get("/", ringPool({ pool: { id: "123" }, params: () => ({ m1: "a" }) }), (_req, res) => {
  const number: RingPoolLocals | undefined = res.locals.ringPool
  res.send(number?.promoNumber ?? "")
})

const layers: Array<Layer.Layer<RingPoolClient.RingPoolClient, unknown, unknown>> = [
  RingPoolNode.layer({}),
  FakeRingPool.layerClient({ pools: [{ id: "123", key: "key", size: 1 }] })
]

const command: string = cliManifest.bin.ringpool
const exitCode: Promise<number> = ringpool(["--version"])

export { allocation, command, exitCode, layers, RingPoolProxy, suffix }
