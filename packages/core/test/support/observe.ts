/**
 * What tests watch besides outcomes: a tracer that keeps every span it makes, and a guard that fails a test file's
 * tests when anything reached the process as an unhandled rejection.
 */
import { Tracer } from "effect"
import { afterAll, afterEach, expect } from "vitest"

/** A tracer that keeps its spans, for tests that read their names and attributes. */
export const recordingTracer = (): { readonly tracer: Tracer.Tracer; readonly spans: Array<Tracer.NativeSpan> } => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { tracer, spans }
}

/** Fails every test after which an unhandled rejection was seen (call once, at the top of a test file). */
export const failOnUnhandledRejections = (): void => {
  const unhandled: Array<unknown> = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on("unhandledRejection", onUnhandled)
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled)
  })
  afterEach(() => {
    expect(unhandled).toEqual([])
  })
}
