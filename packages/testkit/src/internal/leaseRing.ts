/**
 * Which numbers of one pool are held, and which one to hand out next.
 *
 * Every lease lasts the pool's whole lifetime, so the least recently allocated number is also the first to come
 * free: the pool is a ring in allocation order. The next number to hand out is always the one under the cursor;
 * if it is still held, every other number is too. That makes an allocation O(1) for any pool size, with no scan.
 */
export class LeaseRing {
  private readonly heldUntil: Float64Array
  private cursor = 0

  constructor(
    readonly size: number,
    private readonly lifetimeMs: number
  ) {
    this.heldUntil = new Float64Array(size).fill(Number.NEGATIVE_INFINITY)
  }

  /**
   * The position of the number leased at `now`, or -1 when none is free. A lease ends exactly `lifetimeMs` after
   * it began (the documented lifetime is a guaranteed minimum, so the number comes free at that instant, not before).
   * `now` must not go backwards between calls (the model makes sure of that).
   */
  lease(now: number): number {
    const position = this.cursor
    if (this.heldUntil[position]! > now) return -1
    this.heldUntil[position] = now + this.lifetimeMs
    this.cursor = position + 1 === this.size ? 0 : position + 1
    return position
  }

  clear(): void {
    this.heldUntil.fill(Number.NEGATIVE_INFINITY)
    this.cursor = 0
  }
}
