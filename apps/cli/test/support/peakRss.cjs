// Preloaded into the child (`node --require`): reports the process's peak resident set size as it exits.
process.on("exit", () => {
  require("node:fs").writeSync(2, `peak-rss-kib=${process.resourceUsage().maxRSS}\n`)
})
