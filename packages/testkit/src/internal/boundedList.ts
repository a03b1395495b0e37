/**
 * A list that keeps its most recent `limit` items, so that a fake under a load test does not grow without end.
 * Old items are dropped in slices (every `limit / 4` pushes), which keeps a push O(1) amortised.
 */
export class BoundedList<A> {
  private items: Array<A> = []
  private readonly slack: number

  constructor(
    readonly limit: number,
    /** Called with the items kept after old ones were dropped (to rebuild an index over them). */
    private readonly onCompact?: (kept: ReadonlyArray<A>) => void
  ) {
    this.slack = Math.max(1, limit >> 2)
  }

  push(item: A): void {
    this.items.push(item)
    if (this.items.length > this.limit + this.slack) {
      this.items = this.items.slice(-this.limit)
      this.onCompact?.(this.items)
    }
  }

  toArray(): Array<A> {
    return this.items.length > this.limit ? this.items.slice(-this.limit) : this.items.slice()
  }

  clear(): void {
    this.items = []
  }
}
