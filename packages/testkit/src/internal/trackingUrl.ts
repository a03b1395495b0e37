/**
 * The `tracking_url` of each allocation: `http://tracking.ringpool.test/c/<pool id>/<allocation serial>?sid=<number>`.
 * The service documents only that there is one; `.test` is a reserved domain, so nothing real answers there.
 */
export class TrackingUrls {
  private readonly bases = new Map<string, string>()
  private serial = 0

  constructor(poolIds: Iterable<string>) {
    for (const id of poolIds) this.bases.set(id, `http://tracking.ringpool.test/c/${encodeURIComponent(id)}/`)
  }

  /** The URL of the next allocation of a pool the fake serves. */
  next(ringPoolId: string, promoNumber: string): string {
    return `${this.bases.get(ringPoolId)}${++this.serial}?sid=${promoNumber}`
  }

  reset(): void {
    this.serial = 0
  }
}
