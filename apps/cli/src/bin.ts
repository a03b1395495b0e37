#!/usr/bin/env -S node --max-old-space-size=128 --max-semi-space-size=8
// The heap limits keep `ringpool bulk` flat for any file size: it holds ~40 MB live whatever the input, but left to
// its defaults V8 lets garbage pile up to several times that before collecting (a 1M-row run peaked near 290 MB on
// Node 20, and Node 24 grows its young generation further). With these limits both stay near 150-190 MB, and run no
// slower. Raise them for huge rows with `node --max-old-space-size=N $(which ringpool)`.
import { run } from "./Main.ts"

run()
