/**
 * A time-to-live: seconds as a number, or a string with a unit. `Infinity` means "never expires".
 * @example 3600, '90s', '30m', '1h', '7d', '250ms'
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` | (string & {})

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/

/**
 * The only place where time units are converted: a public TTL (seconds or '30m') to milliseconds.
 * Throws a TypeError naming `option` for anything that is not a positive duration.
 *
 * @example
 * ```ts
 * import { toMs } from 'tiercache'
 *
 * toMs(90) // 90_000: a number is seconds
 * toMs('30m') // 1_800_000
 * toMs(Infinity) // Infinity: never expires
 * toMs('soon', 'memoryTtl') // throws TypeError: memoryTtl option must be a positive number of seconds…
 * ```
 */
export function toMs(ttl: Duration, option = 'ttl'): number {
  if (typeof ttl === 'number') {
    if (ttl === Infinity) return Infinity
    if (Number.isFinite(ttl) && ttl > 0) return ttl * 1000
  } else if (typeof ttl === 'string') {
    const match = DURATION_RE.exec(ttl.trim())
    if (match) {
      const ms = Number(match[1]) * UNIT_MS[match[2]!]!
      if (ms > 0) return ms
    }
  }
  throw new TypeError(
    `${option} option must be a positive number of seconds or a duration such as '90s', '30m', '1h', '7d' (got ${String(ttl)})`,
  )
}
