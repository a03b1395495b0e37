/**
 * @ringpool/proxy: the single RingPool API, served through coalesced bulk calls.
 *
 * @since 0.1.0
 */
export {}
