/**
 * Options are checked before anything listens, and a mistake says what to write instead.
 */

import { assert, describe, it } from "@effect/vitest"
import { createRingPoolClient } from "@ringpool/core"
import { type ProxyOptions, startProxy } from "@ringpool/proxy"

const refusal = async (options: unknown): Promise<string> => {
  try {
    const proxy = await startProxy(options as ProxyOptions)
    await proxy.close()
  } catch (error) {
    assert.instanceOf(error, TypeError)
    return (error as Error).message
  }
  return assert.fail("the options were accepted")
}

describe("startProxy options", () => {
  it("refuses unknown and malformed options with a message that names them", async () => {
    assert.match(await refusal({ prot: 8080 }), /unknown option "prot"; known: port, host/)
    assert.match(await refusal({ port: 70_000 }), /port must be an integer from 0 to 65535/)
    assert.match(await refusal({ timeoutMs: 0 }), /timeoutMs must be an integer from 1/)
    assert.match(await refusal({ maxBodyBytes: 10 }), /maxBodyBytes must be an integer from 1024/)
    assert.match(await refusal({ host: "" }), /host must be an address/)
    assert.match(await refusal({ baseUrl: "pnapi.invoca.net" }), /baseUrl must be an http\(s\) URL/)
    assert.match(await refusal({ client: {} }), /client must be a client from createRingPoolClient/)
  })

  it("refuses baseUrl beside a client, whose own options decide", async () => {
    const client = createRingPoolClient()
    assert.match(
      await refusal({ client, baseUrl: "http://127.0.0.1:1" }),
      /with client, give them to createRingPoolClient/
    )
    await client.close()
  })

  it("rejects when the port is taken", async () => {
    const first = await startProxy({ port: 0, baseUrl: "http://127.0.0.1:1" })
    const port = Number(new URL(first.url).port)
    let error: unknown
    await startProxy({ port, baseUrl: "http://127.0.0.1:1" }).catch((e: unknown) => {
      error = e
    })
    assert.strictEqual((error as NodeJS.ErrnoException).code, "EADDRINUSE")
    await first.close()
  })
})
