import { defineConfig } from "vitest/config"
import { base } from "../../tooling/vitest.base.ts"

export default defineConfig({ test: base.test })
