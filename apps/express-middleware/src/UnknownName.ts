/**
 * The message for an option name nobody knows, shared by `ringPool()` and `redisStore()`.
 *
 * A name near a known one is a typo (`timeout` for `timeoutMs`), shown with its fix. Any other is not repeated: a
 * misplaced value (a key, or a Redis URL with its password, spread in as a property name) must not reach a log
 * through this message.
 *
 * @internal
 */

const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** `unknown option "timeout" (did you mean "timeoutMs"?); known: ...`, naming the option only when it is a typo. */
export const describe = (where: string, name: string, known: ReadonlyArray<string>): string => {
  const lower = name.toLowerCase()
  // Near: a typo, a part of a known name (`timeout` of `commandTimeoutMs`), or a known name run on in letters only
  // (`fallbackNumber`). Not one run on with anything else: `url:redis://:password@host` starts with `url`, and a key
  // holds digits.
  const words = /^[A-Za-z]+$/.test(name)
  const near = known.find((k) => {
    const candidate = k.toLowerCase()
    return (
      distance(lower, candidate) <= 2 ||
      candidate.startsWith(lower) ||
      (lower.length >= 4 && candidate.includes(lower)) ||
      (words && lower.startsWith(candidate))
    )
  })
  const named =
    near === undefined
      ? `unknown ${where} (a name of ${name.length} characters, not shown)`
      : `unknown ${where} ${JSON.stringify(name)} (did you mean ${JSON.stringify(near)}?)`
  return `${named}; known: ${known.join(", ")}`
}
