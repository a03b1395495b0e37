// A store that records what the middleware asks of it, answering asynchronously as a networked store does.
import { memoryStore, type VisitorNumber, type VisitorStore } from "../../src/index.ts"

export const recordingStore = () => {
  const inner = memoryStore()
  const log: Array<{ op: string; key: string; value?: VisitorNumber; ttlSeconds?: number }> = []
  const store: VisitorStore = {
    get: async (key) => {
      log.push({ op: "get", key })
      return inner.get(key)
    },
    set: async (key, value, ttlSeconds) => {
      log.push({ op: "set", key, value, ttlSeconds })
      await inner.set(key, value, ttlSeconds)
    },
    delete: async (key) => {
      log.push({ op: "delete", key })
      await inner.delete(key)
    }
  }
  return { store, log }
}
