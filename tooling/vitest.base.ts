// One base for every package: tests live in test/, run in forks (servers on loopback are started per file),
// and a generous timeout because the machines are shared and noisy (no test asserts on wall-clock speed).
// Plain data, so that this folder needs no dependencies of its own.
export const base = {
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks" as const,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
}
