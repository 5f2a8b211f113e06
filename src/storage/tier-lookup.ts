import type { StorageError } from '../core/exceptions'
import { checkKey } from '../core/keys'
import type { CacheEvents } from './cache-events'
import type { TagVersions } from './tag-versions'
import { promote, type PromotionContext } from './tier-promotion'
import type { Layer } from './tier-scopes'
import type { Entry } from './tier'
import type { WriteTracker } from './write-tracker'

/** Where a lookup's tier failures go: thrown at the end (when nothing was found), or handed to a handler. */
export type OnTierError = 'throw' | OnFailure
type OnFailure = (error: StorageError) => void

/** What a lookup needs of its TierStack, made once: the tiers it reads and the stack's parts. */
export interface LookupContext {
  /** The tiers a lookup reads after `peek` missed. */
  readonly below: readonly Layer[]
  readonly writes: WriteTracker
  readonly events: CacheEvents
  readonly tags: TagVersions
  readonly promotion: PromotionContext
  /** Receives the failures of a copy up when the lookup's own are thrown. */
  readonly report: OnFailure
}

/**
 * Reads the tiers below the front one (callers peeked already) and copies a hit into the tiers above it,
 * unless the key was written, deleted or cleared during the read: then the older entry is returned but
 * not copied. Rejects with InvalidKeyError for a key no tier can hold. `removing`: a removal was under way
 * when the lookup began. `again`: a second look for the same call (the lease holder's), whose misses were
 * counted by the first.
 */
export async function lookupBelow(
  context: LookupContext,
  key: string,
  removing: boolean,
  onError: OnTierError,
  found?: { tier: number },
  again = false,
): Promise<Entry | undefined> {
  checkKey(key)
  const { writes, events, tags, promotion } = context
  const watch = writes.watch(key)
  let failure: StorageError | undefined
  try {
    for (const { tier, index } of context.below) {
      let entry: Entry | undefined
      try {
        entry = await promotion.guard(index, 'read', key, () => tier.get(key))
        // Stamps older than the tag counters: invalidated by tag, so a miss in this tier.
        if (entry?.tags !== undefined && !(await tags.check(entry.tags))) entry = undefined
      } catch (err) {
        if (onError === 'throw') failure ??= err as StorageError
        else onError(err as StorageError)
        continue
      }
      if (entry === undefined) {
        if (!again) events.miss(index, key) // a second look (the lease's) counts no miss twice
        continue
      }
      events.hit(index, key)
      if (found) found.tier = index // for a stale value served from it
      const report = onError === 'throw' ? context.report : onError
      const stale = () => removing || writes.changedSince(watch)
      // Copies into in-process tiers are made synchronously; only slower tiers above give a promise to await.
      const copying =
        index === 0 || stale() ? undefined : promote(promotion, entry, index, report, stale)
      if (copying) await copying
      return entry
    }
  } finally {
    writes.unwatch(watch)
  }
  if (failure) throw failure
  return undefined
}
