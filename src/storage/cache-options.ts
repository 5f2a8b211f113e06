import { systemClock, type Clock } from '../core/clock'
import { toMs } from '../core/duration'
import type { StorageError } from '../core/exceptions'
import type { CacheOptions } from './cache-types'
import { checkRedactKeys } from './diagnostics'
import { freshnessPolicy, type FreshnessPolicy } from './freshness'
import { isTier, type Tier } from './tier'
import { FileTier } from './tiers/file'
import { MemoryTier } from './tiers/memory'

const DEFAULT_CLEANUP_MS = 3_600_000
/** The longest delay a Node timer holds: Node runs a longer interval every millisecond instead. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface CheckedCacheOptions {
  tiers: Tier[]
  clock: Clock
  onError: ((error: StorageError) => void) | undefined
  /** Infinity: no background cleanup. */
  cleanupMs: number
  /** The freshness options every call starts from. */
  freshness: FreshnessPolicy
}

/** `Cache`'s options, checked at once (a TypeError naming the option), with the defaults filled in. */
export function checkCacheOptions(options: CacheOptions): CheckedCacheOptions {
  const { cacheDir = 'cache', tiers, onError, clock = systemClock, cleanupInterval } = options
  if (tiers !== undefined && (!Array.isArray(tiers) || tiers.length === 0 || !tiers.every(isTier)))
    throw new TypeError('tiers option must be a non-empty array of tiers')
  if (onError !== undefined && typeof onError !== 'function')
    throw new TypeError(`onError option must be a function (got ${typeof onError})`)
  if (typeof (clock as Partial<Clock> | null)?.now !== 'function')
    throw new TypeError('clock option must be an object with a now() method')
  if (typeof cacheDir !== 'string' || cacheDir === '')
    throw new TypeError('cacheDir option must be a non-empty path')
  checkRedactKeys(options.redactKeys)
  const cleanupMs =
    cleanupInterval === false
      ? Infinity
      : cleanupInterval === undefined
        ? DEFAULT_CLEANUP_MS
        : toMs(cleanupInterval, 'cleanupInterval')
  const freshness = freshnessPolicy(options)
  return {
    freshness,
    tiers: tiers ? [...tiers] : [new MemoryTier({ clock }), new FileTier({ dir: cacheDir, clock })],
    clock,
    onError,
    cleanupMs,
  }
}

/** Runs `cleanup` every `ms` (capped to what a timer holds) without keeping the process alive; Infinity: never. */
export function startCleanupTimer(ms: number, cleanup: () => void): NodeJS.Timeout | undefined {
  if (ms === Infinity) return undefined
  const timer = setInterval(cleanup, Math.min(ms, MAX_TIMER_MS))
  timer.unref()
  return timer
}
