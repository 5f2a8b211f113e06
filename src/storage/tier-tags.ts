import type { Tier } from './tier'

// The tags part of the tier contract: the stamps an entry carries, and the optional capability of a tier that
// keeps the counters they are checked against (see tag-versions.ts).

/**
 * The tags of an entry and the counter each had when the entry's value was computed (`counters[i]` is
 * `tags[i]`'s). Two arrays rather than a record: every stamp has one shape, so the check on a memory hit
 * stays monomorphic whatever the tags are called. Files hold it as `{"tag":counter,…}`.
 *
 * @example
 * ```ts
 * import type { Entry, TagStamps } from 'tiercache'
 *
 * // An entry computed while the counter of `video:abc` was 3 and that of `user:7` was 0.
 * const tags: TagStamps = { tags: ['video:abc', 'user:7'], counters: [3, 0], checkedAt: -1 }
 * const entry: Entry = { key: 'summary:abc', value: 'Twelve scenes', expiresAt: Date.now() + 60_000, tags }
 * ```
 */
export interface TagStamps {
  readonly tags: readonly string[]
  readonly counters: readonly number[]
  /**
   * In-process memo of the last check that found every counter current (see `TagVersions.isCurrent`):
   * tiers neither store nor read it. -1 until checked.
   */
  checkedAt: number
}

/**
 * An optional capability: a tier that keeps a counter per tag, shared by every process that shares the tier
 * (the file tier in its folder, Redis on the server). Invalidating a tag increments its counter; an entry
 * stamped with an older counter is invalid. Counters, not timestamps: no clock has to agree with another.
 *
 * @example
 * ```ts
 * import { FileTier } from 'tiercache'
 *
 * const tier = new FileTier({ dir: 'cache' }) // the file tier keeps tag counters in `cache/.tags/`
 * const [before = 0] = await tier.tagVersions(['video:abc'])
 * const [after = 0] = await tier.bumpTags(['video:abc']) // what `cache.invalidateTags(['video:abc'])` does
 * console.log(after === before + 1) // true when no other process bumped it meanwhile
 * ```
 */
export interface TagCounters {
  /** The current counter of each tag, in order (0 for a tag never invalidated). */
  tagVersions(tags: readonly string[]): Promise<number[]>
  /** Increments each tag's counter, atomically across processes; resolves to the counters after it. */
  bumpTags(tags: readonly string[]): Promise<number[]>
}

/** Whether `tier` keeps tag counters (a capability check: no `instanceof`). */
export function hasTagCounters(tier: Tier): tier is Tier & TagCounters {
  const t = tier as Partial<TagCounters>
  return typeof t.tagVersions === 'function' && typeof t.bumpTags === 'function'
}
