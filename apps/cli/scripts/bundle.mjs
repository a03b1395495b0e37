#!/usr/bin/env node
// Builds the shipped `ringpool`: src/bin.ts and everything it uses (the core, the testkit, Effect, csv-parse,
// csv-stringify) bundled by esbuild into dist/, so that the package has no run-time dependencies.
//
// dist/bin.js is the entry; what only one command needs is in chunks of its own that the entry imports when that
// command runs (esbuild's code splitting of `import()`): `ringpool --help` compiles a few kilobytes, not Effect.
import { chmodSync, readFileSync, rmSync } from "node:fs"
import { build } from "esbuild"

const outdir = new URL("../dist/", import.meta.url)
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: { bin: new URL("../src/bin.ts", import.meta.url).pathname },
  outdir: outdir.pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  chunkNames: "chunks/[name]-[hash]",
  minify: process.env.RINGPOOL_BUNDLE_PLAIN === undefined,
  define: { RINGPOOL_VERSION: JSON.stringify(version) },
  legalComments: "none",
  // CommonJS inside the bundle may `require` Node's own modules: give each chunk a real `require`.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
  },
  logLevel: "warning"
})
chmodSync(new URL("bin.js", outdir), 0o755)
