#!/usr/bin/env node
// The ceiling of `ringpool bulk` on this machine, for benchmark 6: a hand-written NDJSON client with none of the
// CLI's checks. It reads the file in 64 KiB pieces, parses each line, sends bulk calls of 100 rows with 8 in flight
// over keep-alive sockets, and prints one JSON line per row in order. It trusts its input and the answers: no row is
// validated, no key masked, no answer checked against the rows sent, no fingerprint or ledger kept. What it reaches
// is what any Node client reaches here for parsing, sending and printing alone.
//
// Usage: handWrittenBulk.mjs FILE BASE_URL KEY (the results go to stdout; the caller times the run).
import { createReadStream } from "node:fs"
import http from "node:http"

const [file, base, key] = process.argv.slice(2)
const batchSize = 100
const inFlight = 8
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight })
const url = new URL("/api/2013-07-01/bulk.json", base)
const keyPart = `/allocate_number.json?ring_pool_key=${encodeURIComponent(key)}`

const post = (body) =>
  new Promise((resolve, reject) => {
    const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
    const request = http.request(url, { method: "POST", agent, headers }, (answer) => {
      let text = ""
      answer.setEncoding("utf8")
      answer.on("data", (piece) => {
        text += piece
      })
      answer.on("end", () => resolve(JSON.parse(text).responses))
      answer.on("error", reject)
    })
    request.on("error", reject)
    request.end(body)
  })

const bodyOf = (rows) => {
  let body = '{"requests":['
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    let suffix = encodeURIComponent(row.ring_pool_id) + keyPart
    for (const name in row) {
      if (name !== "ring_pool_id" && name !== "request_id") {
        suffix += `&${encodeURIComponent(name)}=${encodeURIComponent(row[name])}`
      }
    }
    body += `${i === 0 ? "" : ","}{"api_suffix":${JSON.stringify(suffix)},"request_id":${JSON.stringify(row.request_id)}}`
  }
  return `${body}]}`
}

let line = 0
const pending = []
const out = process.stdout
const writeOldest = async () => {
  const { rows, answers } = await pending.shift()
  let text = ""
  for (let i = 0; i < rows.length; i++) {
    const answer = answers[i]
    text += `{"line":${++line},"outcome":"allocated","request_id":${JSON.stringify(answer.request_id)},"promo_number":${JSON.stringify(answer.promo_number)},"promo_number_formatted":${JSON.stringify(answer.promo_number_formatted)},"tracking_url":${JSON.stringify(answer.tracking_url)},"overflow":${answer.overflow === true}}\n`
  }
  if (!out.write(text)) await new Promise((resolve) => out.once("drain", resolve))
}
let batch = []
const send = async () => {
  const rows = batch
  batch = []
  pending.push(post(bodyOf(rows)).then((answers) => ({ rows, answers })))
  if (pending.length >= inFlight) await writeOldest()
}

let rest = ""
for await (const piece of createReadStream(file, { encoding: "utf8", highWaterMark: 64 * 1024 })) {
  const text = rest + piece
  let start = 0
  for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
    if (end > start) {
      batch.push(JSON.parse(text.slice(start, end)))
      if (batch.length === batchSize) await send()
    }
    start = end + 1
  }
  rest = text.slice(start)
}
if (rest !== "") batch.push(JSON.parse(rest))
if (batch.length > 0) await send()
while (pending.length > 0) await writeOldest()
agent.destroy()
