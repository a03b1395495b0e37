/**
 * "Did you mean ...?": the known name nearest to a mistyped one, by edit distance with swapped neighbours counting
 * as one edit (`allcoate` is one edit from `allocate`). Only near misses are suggested: at most 2 edits, and fewer
 * than half the word's length, so that a wholly different word gets no guess.
 */

const distance = (a: string, b: string): number => {
  const rows: Array<Array<number>> = []
  for (let i = 0; i <= a.length; i++) {
    rows.push([i])
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j)
        continue
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]!.push(best)
    }
  }
  return rows[a.length]![b.length]!
}

export const closest = (word: string, known: ReadonlyArray<string>): string | undefined => {
  if (word === "") return undefined
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const d = distance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < word.length ? best : undefined
}
