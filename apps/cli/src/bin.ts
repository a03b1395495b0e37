#!/usr/bin/env -S node --max-old-space-size=128
// The heap limit keeps `ringpool bulk` flat for any file size: it holds ~40 MB live whatever the input, but with no
// limit V8 lets garbage pile up to several times that before a full collection (a 1M-row run peaked near 290 MB;
// with a limit, about 160 MB, and no slower). Raise it for huge rows with `node --max-old-space-size=N $(which ringpool)`.
import { run } from "./Main.ts"

run()
