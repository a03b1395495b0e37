#!/usr/bin/env node
// Builds the shipped `ringpool`: src/bin.ts and everything it uses (the core, the testkit, Effect, csv-parse,
// csv-stringify) bundled by esbuild into dist/, so that the package has no run-time dependencies.
//
// dist/bin.js is the entry; what only one command needs is in chunks of its own that the entry imports when that
// command runs (esbuild's code splitting of `import()`): `ringpool --help` compiles a few kilobytes, not Effect.
import { execFileSync } from "node:child_process"
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"

/**
 * `node:http` and `node:https` through `process.getBuiltinModule` (Node 20.16 and later) instead of `import`: an
 * ESM import of a built-in builds a facade of all its exports, and for `node:http` on Node 22 and 24 that reads its
 * lazy `WebSocket` export, which loads Node's whole fetch implementation (about 20 ms of every `ringpool allocate`).
 * The named exports are the module's plain values on the Node that bundles (not its getters, which would do the
 * same); only these two modules, whose values are the same on Node 20, 22 and 24 (other modules have values that
 * later versions made deprecated getters, which would warn).
 */
const httpWithoutFacade = {
  name: "http-without-facade",
  setup(build) {
    build.onResolve({ filter: /^(node:)?https?$/ }, ({ path }) => ({
      path: path.replace(/^node:/, ""),
      namespace: "builtin"
    }))
    build.onLoad({ filter: /.*/, namespace: "builtin" }, ({ path }) => {
      const module = createRequire(import.meta.url)(path)
      const values = Object.keys(module).filter(
        (key) => /^[A-Za-z]\w*$/.test(key) && "value" in Object.getOwnPropertyDescriptor(module, key)
      )
      return {
        contents: `const m = process.getBuiltinModule(${JSON.stringify(`node:${path}`)}); export default m; export const { ${values.join(", ")} } = m;`,
        loader: "js"
      }
    })
  }
}

const outdir = new URL("../dist/", import.meta.url)
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: {
    bin: new URL("../src/bin.ts", import.meta.url).pathname,
    index: new URL("../src/index.ts", import.meta.url).pathname
  },
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
    js: 'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);'
  },
  plugins: [httpWithoutFacade],
  logLevel: "warning"
})
chmodSync(new URL("bin.js", outdir), 0o755)

// The library face's types. tsc declares every source into a scratch folder; only index.d.ts ships: its one
// function names no other module, so it needs none of the packages the bundle carries inside.
const scratch = mkdtempSync(join(tmpdir(), "ringpool-cli-types-"))
try {
  const project = new URL("../tsconfig.json", import.meta.url).pathname
  const rootDir = new URL("../src", import.meta.url).pathname
  const emit = [
    "--noEmit",
    "false",
    "--declaration",
    "--emitDeclarationOnly",
    "--rootDir",
    rootDir,
    "--outDir",
    scratch
  ]
  execFileSync("tsc", ["-p", project, ...emit], { stdio: ["ignore", "inherit", "inherit"] })
  const declared = readFileSync(join(scratch, "index.d.ts"), "utf8")
  if (/^\s*(import|export .* from) /m.test(declared))
    throw new Error(`dist/index.d.ts must name no other module:\n${declared}`)
  copyFileSync(join(scratch, "index.d.ts"), new URL("index.d.ts", outdir))
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
