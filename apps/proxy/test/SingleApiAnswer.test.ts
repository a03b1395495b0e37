/**
 * The single API's xml answer holds whatever an upstream's texts carry and stays a well-formed document.
 */
import { assert, describe, it } from "@effect/vitest"
import * as SingleApiAnswer from "../src/SingleApiAnswer.ts"

// What XML 1.0 cannot hold (or discourages: C1 controls): control characters but tab, line feed and carriage return;
// U+FFFE, U+FFFF; lone surrogates.
const notXml = /(?![\t\n\r])\p{Cc}|\p{Cs}|[\uFFFE\uFFFF]/u

describe("the xml answer", () => {
  it("writes control characters, U+FFFE and a lone surrogate as U+FFFD, and a carriage return as a reference", () => {
    const answer = SingleApiAnswer.allocated("xml", {
      promoNumber: "8883906665",
      promoNumberFormatted: "888-390-6665",
      trackingUrl: "http://t.test/\u0000\u0001\u001b\ufffe\ud800x?a=1&b=<2>\r\n\t😀",
      overflow: false
    })
    assert.notMatch(answer.body, notXml)
    assert.include(
      answer.body,
      "<TrackingUrl>http://t.test/\ufffd\ufffd\ufffd\ufffd\ufffdx?a=1&amp;b=&lt;2&gt;&#13;\n\t😀</TrackingUrl>"
    )
    const failed = SingleApiAnswer.failed("xml", {
      status: 400,
      errorClass: "Weird\u0001<Class>",
      message: "a\u0007b",
      wholeCall: false
    })
    assert.strictEqual(failed.body, "<Error><Class>Weird\ufffd&lt;Class&gt;</Class><Message>a\ufffdb</Message></Error>")
  })

  it("json and csv answers write an upstream's control characters and bidirectional overrides as U+FFFD", () => {
    const allocation = {
      promoNumber: "8883906665",
      promoNumberFormatted: "888-390-6665",
      trackingUrl: "http://t.test/\u001b[31m\u0007\u009b\u202eevil",
      overflow: false
    }
    const json = SingleApiAnswer.allocated("json", allocation).body
    assert.include(json, '"tracking_url":"http://t.test/\ufffd[31m\ufffd\ufffd\ufffdevil"')
    const csv = SingleApiAnswer.allocated("csv", allocation).body
    assert.include(csv, ",http://t.test/\ufffd[31m\ufffd\ufffd\ufffdevil\n")
    assert.include(
      SingleApiAnswer.allocated("xml", allocation).body,
      "<TrackingUrl>http://t.test/\ufffd[31m\ufffd\ufffd\ufffdevil<"
    )
  })

  it("the plain-text error of json and csv writes an upstream's control characters as U+FFFD", () => {
    const failure = {
      status: 400,
      errorClass: "Weird\u0003Class",
      message: "bad \u001b[2J\u0000 message\n",
      wholeCall: false
    }
    for (const format of ["json", "csv"] as const) {
      assert.strictEqual(
        SingleApiAnswer.failed(format, failure).body,
        "Weird\ufffdClass: bad \ufffd[2J\ufffd message\n"
      )
    }
  })
})
