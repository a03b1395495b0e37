// Small measuring helpers: closed-loop throughput and sequential latency percentiles.

/** `callers` loops each awaiting `allocate(i)` until `total` are done; returns allocations per second. */
export const closedLoop = async (allocate, { total, callers, from = 0 }) => {
  let next = from
  const end = from + total
  const started = performance.now()
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < end) await allocate(next++)
    })
  )
  return total / ((performance.now() - started) / 1000)
}

/** One allocation at a time, `count` times; returns p50 and p99 in milliseconds. */
export const latencies = async (allocate, { count, from = 0 }) => {
  const samples = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await allocate(from + i)
    samples.push(performance.now() - started)
  }
  return percentiles(samples)
}

/**
 * One allocation at a time for each contender in turn, `count` rounds: samples of the contenders alternate, so a
 * machine that speeds up or slows down during the run moves them all alike. Returns p50 and p99 per contender.
 */
export const interleavedLatencies = async (contenders, { count, from = 0 }) => {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
  let i = from
  for (let round = 0; round < count; round++) {
    for (const [name, allocate] of Object.entries(contenders)) {
      const started = performance.now()
      await allocate(i++)
      samples[name].push(performance.now() - started)
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, percentiles(list)]))
}

const percentiles = (samples) => {
  samples.sort((a, b) => a - b)
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]
  return { p50: at(0.5), p99: at(0.99) }
}

export const fixed = (n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
