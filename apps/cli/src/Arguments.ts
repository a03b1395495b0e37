/**
 * The arguments of the command being run, as `main(argv)` was given them: a program that runs `ringpool` in its own
 * process (`main([...])`) passes keys there, not in `process.argv`, and `Secrets` must know them to mask them.
 * (A module of its own, without dependencies: `main` sets it before anything is loaded.)
 */
let current: ReadonlyArray<string> = []

export const remember = (argv: ReadonlyArray<string>): void => {
  current = argv
}

export const given = (): ReadonlyArray<string> => current
