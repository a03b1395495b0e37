/**
 * A log that keeps its most recent entries within a count and a size in bytes, so that a fake under a load test, or
 * fed 100 MB parameters, does not grow without end. The newest entry is always kept, whatever its size: a log that
 * forgot the call a test just made would mislead more than it saves (the request size limit bounds one entry).
 *
 * Old entries leave from the head in O(1); the array is compacted once its dead head outweighs its live part, which
 * keeps a push O(1) amortised.
 */
export class BoundedLog<A> {
  private items: Array<A> = []
  private sizes: Array<number> = []
  private head = 0
  private bytes = 0

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number
  ) {}

  /** Adds an entry that keeps about `size` bytes alive. */
  push(entry: A, size: number): void {
    this.items.push(entry)
    this.sizes.push(size)
    this.bytes += size
    while (
      this.items.length - this.head > 1 &&
      (this.items.length - this.head > this.maxEntries || this.bytes > this.maxBytes)
    ) {
      this.bytes -= this.sizes[this.head]!
      // Let the entry go now, not at the next compaction: it may be the 100 MB one.
      this.items[this.head] = undefined as A
      this.head++
    }
    if (this.head > 1024 && this.head > this.items.length >> 1) {
      this.items = this.items.slice(this.head)
      this.sizes = this.sizes.slice(this.head)
      this.head = 0
    }
  }

  get length(): number {
    return this.items.length - this.head
  }

  /** The entry `back` places from the newest (0 is the newest), or undefined past the oldest kept. */
  fromNewest(back: number): A | undefined {
    const index = this.items.length - 1 - back
    return index < this.head ? undefined : this.items[index]
  }

  toArray(): Array<A> {
    return this.items.slice(this.head)
  }

  clear(): void {
    this.items = []
    this.sizes = []
    this.head = 0
    this.bytes = 0
  }
}
