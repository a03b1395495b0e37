/**
 * A real non-Node client: PHP's file_get_contents with values appended unencoded, as public PHP code calls the
 * single API. It gets numbers, reads the documented fields in every format, and they are the numbers the service
 * gave those parameters. This suite needs `php` (php-cli): without it, it fails and says what to install.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { key, type Setup, start } from "./support/proxy.ts"

const run = promisify(execFile)
const script = fileURLToPath(new URL("./fixtures/client.php", import.meta.url))

// Checked inside the test, so that a machine without php reports a failed test with this line, never a skip.
const requirePhp = async () => {
  try {
    await run("php", ["--version"])
  } catch {
    assert.fail("php is not installed, and this suite needs a real PHP client: apt-get install php-cli")
  }
}

let setup: Setup
beforeAll(async () => {
  setup = await start()
})
afterAll(() => setup.close())

describe("a PHP client written for the single API", () => {
  it("gets numbers and reads the documented fields, json, xml and csv; an error in the xml form", async () => {
    await requirePhp()
    const { stdout } = await run("php", [script, setup.proxy.url, "1", key])
    const rows = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, string>)
    const logged = setup.fake.allocations()
    assert.strictEqual(logged.length, 3)
    const keywords = ["red shoes & more", "50% off", "a b"]
    rows.slice(0, 3).forEach((row, i) => {
      assert.strictEqual(row.status, "200", JSON.stringify(row))
      const allocation = logged[i]!
      // PHP sent the keyword unencoded: `&` split it, `+` became a space, `%` stayed itself.
      assert.strictEqual(allocation.params.site, row.site)
      assert.strictEqual(
        allocation.params.search_keywords,
        i === 0 ? "red shoes " : keywords[i],
        JSON.stringify(allocation.params)
      )
      assert.strictEqual(row.number, allocation.promoNumber)
      assert.match(row.formatted!, /^\d{3}-\d{3}-\d{4}$/)
      assert.strictEqual(row.formatted!.replace(/-/g, ""), row.number)
    })
    assert.deepStrictEqual(rows[3], { format: "xml-error", status: "403", class: "InvalidKey" })
  })
})
