/**
 * A fake of the service and a proxy in front of it, both on loopback ports, for one test file.
 */
import { type ProxyOptions, type RunningProxy, startProxy } from "@ringpool/proxy"
import { type FakeRingPoolServer, type Pool, startFakeRingPoolServer } from "@ringpool/testkit"

export const key = "Kq7f3a91-zt0w"

export const pools: ReadonlyArray<Pool.PoolOptions> = [
  { id: "1", key, size: 1_000 },
  // Two numbers and an overflow number, for the overflow answer.
  { id: "small", key, numbers: ["8005550101", "8005550102"], overflowNumber: "8005550199" },
  // One number and no overflow, for the full pool's refusal.
  { id: "strict", key, numbers: ["8005550201"], allowOverflow: false }
]

export interface Setup {
  readonly fake: FakeRingPoolServer.FakeRingPoolServer
  readonly proxy: RunningProxy
  /** `${proxy.url}/api/<date>/ring_pools/<pool>/allocate_number.<format>?<query>` */
  readonly single: (query: string, options?: { pool?: string; format?: string; date?: string }) => string
  readonly bulkUrl: string
  readonly close: () => Promise<void>
}

export const start = async (proxyOptions: Omit<ProxyOptions, "baseUrl" | "port"> = {}): Promise<Setup> => {
  const fake = await startFakeRingPoolServer({ pools })
  const proxy = await startProxy({ port: 0, baseUrl: fake.url, ...proxyOptions })
  return {
    fake,
    proxy,
    single: (query, { pool = "1", format = "json", date = "2014-07-28" } = {}) =>
      `${proxy.url}/api/${date}/ring_pools/${pool}/allocate_number.${format}?${query}`,
    bulkUrl: `${proxy.url}/api/2013-07-01/bulk.json`,
    close: async () => {
      await proxy.close()
      await fake.close()
    }
  }
}
