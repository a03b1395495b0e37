// A real headless Chromium (Debian's, /usr/bin/chromium) driven by puppeteer-core, with a fresh profile per launch.
// A machine without it fails the suite with one line that says what to install: this test is never skipped.
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import puppeteer, { type Browser } from "puppeteer-core"

export { desktopUserAgent } from "./pageView.ts"

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

export const launchBrowser = async (): Promise<{ browser: Browser; close: () => Promise<void> }> => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `chromium is not installed at ${executablePath}: run \`apt-get install -y chromium\` (this test drives a real browser)`
    )
  }
  const profile = await mkdtemp(join(tmpdir(), "ringpool-chromium-"))
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })
  return {
    browser,
    close: async () => {
      await browser.close()
      await rm(profile, { recursive: true, force: true })
    }
  }
}
