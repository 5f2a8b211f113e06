/** A source of wall-clock time in epoch milliseconds. Injected into tiers so that TTL tests take no real time. */
export interface Clock {
  now(): number
}

/**
 * Reads `Date.now()` at call time (never captured at import), so Jest fake timers drive it too.
 * Wall clock rather than `performance.now()`: expiry times are compared across processes sharing one cacheDir.
 */
export const systemClock: Clock = { now: () => Date.now() }
