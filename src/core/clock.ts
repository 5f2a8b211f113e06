/** A source of wall-clock time in epoch milliseconds. Injected into tiers so that TTL tests take no real time. */
export interface Clock {
  now(): number
}

/**
 * Reads `Date.now()` at call time (never captured at import), so Jest fake timers drive it too.
 * Wall clock rather than `performance.now()`: expiry times are compared across processes sharing one cacheDir.
 */
export const systemClock: Clock = { now: () => Date.now() }

/** How many reads a remembered time may serve before it is read again. */
const MAX_REUSES = 32

/**
 * `systemClock` for the memory tier's hit path, where `Date.now()` costs as much as the lookup itself. It
 * remembers a reading until a 1 ms timer clears it, or for 32 reads, whichever comes first: the read count
 * bounds the staleness when a burst of awaits keeps timers from running, the timer when calls are sparse.
 */
export class CoarseClock implements Clock {
  #remembered = 0
  #reuses = 0
  readonly #forget = () => {
    this.#reuses = 0
  }

  now(): number {
    if (this.#reuses > 0) {
      this.#reuses--
      return this.#remembered
    }
    this.#remembered = Date.now()
    this.#reuses = MAX_REUSES
    setTimeout(this.#forget, 1).unref()
    return this.#remembered
  }
}
