// A stage's checks: each runs, is timed and printed as one line (`ok` or `FAILED` with what went wrong); the stage
// ends with `<stage>: N passed, N failed`, a line .ci/run adds to its total.
export const createChecks = (stage) => {
  let passed = 0
  let failed = 0
  const check = async (name, body) => {
    const started = performance.now()
    try {
      const note = await body()
      passed++
      console.log(`${stage}: ok      ${name}${note ? `: ${note}` : ""} (${seconds(started)})`)
      return true
    } catch (error) {
      failed++
      console.log(`${stage}: FAILED  ${name} (${seconds(started)})\n${indent(error?.message ?? String(error))}`)
      return false
    }
  }
  const finish = () => {
    console.log(`${stage}: ${passed} passed, ${failed} failed`)
    return failed === 0 && passed > 0
  }
  return { check, finish }
}

const seconds = (started) => `${((performance.now() - started) / 1000).toFixed(1)} s`
const indent = (text) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")

/** Fails with the command's own words when it did not exit 0. */
export const expectSuccess = (what, result) => {
  if (result.status === 0) return result.output
  const how = result.timedOut ? "timed out" : `exited ${result.signal ?? result.status}`
  throw new Error(`${what} ${how}:\n${result.output.trim().split("\n").slice(-40).join("\n")}`)
}
