import type { Clock } from '../core/clock'

/**
 * A clock that moves only when told to, so TTL tests take no real time.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier } from 'tiercache'
 * import { FakeClock } from 'tiercache/testing'
 *
 * const clock = new FakeClock()
 * const cache = new Cache({ tiers: [new MemoryTier({ clock })], clock })
 * await cache.set('k', 'v', '1m')
 * clock.advance(61_000)
 * await cache.get('k') // undefined, at once
 * ```
 */
export class FakeClock implements Clock {
  #now: number

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  /** Moves time forward by `ms` and returns the new time. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`advance() takes a non-negative number of ms (got ${ms})`)
    this.#now += ms
    return this.#now
  }
}
