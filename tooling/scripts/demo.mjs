#!/usr/bin/env node
// The README's first command. Until the CLI's `ringpool demo` lands, a core example: what a bulk row looks like.
import { ApiSuffix } from "../../packages/core/dist/index.js"

const request = { ringPoolId: "123", ringPoolKey: "not-a-real-key", params: { m1: "autos", "SMS Callback": "true" } }
console.log("api_suffix:", ApiSuffix.mask(ApiSuffix.make(request)))
