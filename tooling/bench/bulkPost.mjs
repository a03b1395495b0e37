// One bulk call with node:http over a keep-alive agent, answering the status and body text: the cheapest way Node
// has to send one, used by the strict baseline and to load the fake alone.
import { Agent, request } from "node:http"

export const bulkPoster = (url, maxSockets) => {
  const agent = new Agent({ keepAlive: true, maxSockets })
  const { hostname, port } = new URL(url)
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          method: "POST",
          path: "/api/2013-07-01/bulk.json",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
        },
        (res) => {
          let text = ""
          res.setEncoding("utf8")
          res.on("data", (chunk) => {
            text += chunk
          })
          res.on("end", () => resolve({ status: res.statusCode, text }))
        }
      )
      req.on("error", reject)
      req.end(body)
    })
  post.close = () => agent.destroy()
  return post
}
