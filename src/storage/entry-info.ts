import { readClock, type Clock } from '../core/clock'
import { isFresh, type EntryInfo } from './freshness'
import type { Entry } from './tier'
import type { TierStack } from './tier-stack'

/**
 * The entry a cache holds for `key`, fresh or stale, as `cache.getEntry` shows it; undefined when none.
 * Past the hit path only (`get` and `has` ask here once `peek` found nothing fresh): the front tier's
 * copy if it is fresh, else the first found below (another process may have refreshed it), else the
 * front tier's stale copy. Rejects with a StorageError when a tier failed and none had the key.
 */
export async function readEntry<T>(
  stack: TierStack,
  clock: Clock,
  key: string,
): Promise<EntryInfo<T> | undefined> {
  const entry = stack.peekStale(key)
  const now = readClock(clock)
  // Read now: the memory tier empties an entry it lets go of, and the lookup below may replace it.
  const held = entry && info<T>(entry, stack, 0, now)
  if (held !== undefined && !held.stale) return held
  const found = { tier: 0 }
  const below = await stack.lookup(key, 'throw', found)
  // A stale copy below is no better than the one held: the front tier's is reported.
  if (below !== undefined && (held === undefined || isFresh(below, now)))
    return info(below, stack, found.tier, now)
  return held
}

function info<T>(entry: Entry, stack: TierStack, tier: number, now: number): EntryInfo<T> {
  const freshUntil = entry.freshUntil ?? entry.expiresAt
  return {
    value: entry.value as T,
    freshUntil,
    expiresAt: entry.expiresAt,
    tier: stack.tiers[tier]!.name,
    stale: !(freshUntil > now),
  }
}
