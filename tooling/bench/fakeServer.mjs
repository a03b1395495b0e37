#!/usr/bin/env node
// The testkit's fake on a port, in a process of its own (as the real service is), for the benchmarks.
// Prints its URL on stdout, then serves until stdin closes or it is signalled.
import { startFakeRingPoolServer } from "@ringpool/testkit"

const pools = [
  // Big enough that no benchmark runs out of numbers (overflow would still answer, but this is the common case).
  { id: "1", key: "bench-key", size: 2_000_000 }
]
const fake = await startFakeRingPoolServer({ pools, port: 0 })
process.stdout.write(`${fake.url}\n`)
const stop = () => fake.close().then(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
process.stdin.on("end", stop)
process.stdin.resume()
