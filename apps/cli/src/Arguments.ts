/**
 * The arguments `main(argv)` was given: a program that runs `ringpool` in its own process (`main([...])`) passes
 * keys there, not in `process.argv`, and `Secrets` must know them to mask them. Every call's are kept (the last 16),
 * not only the latest: two commands may run at once in one process, and each must mask the other's keys as its own.
 * (A module of its own, without dependencies: `main` sets it before anything is loaded.)
 */
const kept: Array<ReadonlyArray<string>> = []

export const remember = (argv: ReadonlyArray<string>): void => {
  if (kept.includes(argv)) return
  kept.push(argv)
  if (kept.length > 16) kept.shift()
}

/** Each call's arguments, newest last. */
export const given = (): ReadonlyArray<ReadonlyArray<string>> => kept
