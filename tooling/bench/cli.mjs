// Benchmark 6: `ringpool bulk` over files of NDJSON rows: rows per second and the child's peak memory (VmHWM).
import { spawn } from "node:child_process"
import { createWriteStream } from "node:fs"
import { readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../apps/cli/dist/bin.js", import.meta.url))

const writeRows = (path, count) =>
  new Promise((resolve, reject) => {
    const out = createWriteStream(path)
    out.on("error", reject)
    let i = 0
    const write = () => {
      let ok = true
      while (i < count && ok) {
        ok = out.write(`{"ring_pool_id":"1","m1":"autos","visit":"${i}","request_id":"c${i}"}\n`)
        i++
      }
      if (i < count) out.once("drain", write)
      else out.end(resolve)
    }
    write()
  })

const peakOf = async (pid) => {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8")
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

const run = (path, fakeUrl) =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    // The binary itself, through its shebang, as an installed `ringpool` runs (that is where its heap limit lives).
    const child = spawn(bin, ["bulk", path, "--base-url", fakeUrl, "--key", "bench-key"], {
      stdio: ["ignore", "ignore", "ignore"]
    })
    let peak = 0
    // VmHWM is the process's own high-water mark, so sampling often enough to catch the last value is all it takes.
    const sampler = setInterval(async () => {
      peak = Math.max(peak, await peakOf(child.pid))
    }, 50)
    child.on("error", reject)
    child.on("exit", (code) => {
      clearInterval(sampler)
      if (code !== 0) reject(new Error(`ringpool bulk exited with ${code}`))
      else resolve({ seconds: (performance.now() - started) / 1000, peak })
    })
  })

export const cli = async (fakeUrl, { sizes }) => {
  const results = {}
  for (const rows of sizes) {
    const path = join(tmpdir(), `ringpool-bench-${rows}.ndjson`)
    await writeRows(path, rows)
    try {
      const { seconds, peak } = await run(path, fakeUrl)
      results[rows] = { rowsPerSecond: rows / seconds, peakBytes: peak }
    } finally {
      await rm(path, { force: true })
    }
  }
  return results
}

export const cliSuite = async ({ size, fake, verdictOf, fixed }) => {
  const [small, large] = size.cliSizes
  const files = await cli(fake.url, { sizes: size.cliSizes })
  const mb = (bytes) => `${fixed(bytes / 1024 / 1024)} MB`
  return [
    {
      benchmark: `6. ringpool bulk, NDJSON, ${fixed(small)} and ${fixed(large)} rows`,
      figure: `${fixed(files[large].rowsPerSecond)} rows/s at ${fixed(large)} (${fixed(files[small].rowsPerSecond)} at ${fixed(small)}); peak RSS ${mb(files[large].peakBytes)} vs ${mb(files[small].peakBytes)} (${fixed(files[large].peakBytes / files[small].peakBytes, 2)}x)`,
      target: "peak < 250 MB and <= 1.3x the smaller file's",
      verdict: verdictOf(
        files[large].peakBytes < 250 * 1024 * 1024 && files[large].peakBytes <= 1.3 * files[small].peakBytes
      )
    }
  ]
}
