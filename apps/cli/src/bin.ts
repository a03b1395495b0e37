#!/usr/bin/env node
// The `ringpool` command. No Node flags here: memory stays flat by construction (see src/bulk/BulkRun.ts), whether
// it runs through this line, npm's or pnpm's shim, or as `node dist/bin.js`.
import Module from "node:module"

// Node 22.1 and later keep V8's compiled code of the chunks imported below in a cache (in the OS's temporary
// directory), so a command's second start skips compiling Effect. Node 20 has no such cache: it compiles each time.
;(Module as { enableCompileCache?: () => unknown }).enableCompileCache?.()
const { run } = await import("./Main.ts")
run()
