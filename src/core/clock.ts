import { ClockError } from './exceptions'

/**
 * A source of wall-clock time in epoch milliseconds. Injected into tiers so that TTL tests take no real time.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier, type Clock } from 'tiercache'
 *
 * let now = Date.parse('2026-01-01T00:00:00Z')
 * const clock: Clock = { now: () => now }
 * const cache = new Cache({ tiers: [new MemoryTier({ clock })], clock })
 * await cache.set('k', 'v', '1m')
 * now += 61_000
 * await cache.get('k') // undefined: expired, and no test waited a minute
 * ```
 */
export interface Clock {
  now(): number
}

/**
 * Reads `Date.now()` at call time (never captured at import), so Jest fake timers drive it too.
 * Wall clock rather than `performance.now()`: expiry times are compared across processes sharing one cacheDir.
 *
 * @example
 * ```ts
 * import { Cache, systemClock, type Clock } from 'tiercache'
 *
 * // A clock five minutes ahead, built on the system clock (for a demo of expiry).
 * const ahead: Clock = { now: () => systemClock.now() + 5 * 60_000 }
 * const cache = new Cache({ clock: ahead })
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() }

/**
 * The one way the library reads a clock: the time in epoch ms, or a ClockError when the clock throws or returns
 * anything but a finite number (`NaN`, a `Date`, `Infinity`…). Such a reading would make an entry immortal
 * (`NaN` compares false with everything) or expire every entry at once, so the operation fails instead.
 */
export function readClock(clock: Clock): number {
  let now: unknown
  try {
    now = clock.now()
  } catch (err) {
    throw new ClockError(
      `[tiercache] the clock failed: ${(err as Error)?.message ?? String(err)}`,
      {
        cause: err,
      },
    )
  }
  if (typeof now === 'number' && Number.isFinite(now)) return now
  throw new ClockError(
    `[tiercache] the clock read ${describeReading(now)}: a clock must return a finite number of epoch milliseconds`,
  )
}

function describeReading(value: unknown): string {
  if (typeof value === 'number') return String(value)
  if (value instanceof Date) return `a Date (${String(value)})`
  return `a ${typeof value}`
}
