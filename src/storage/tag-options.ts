import { PolicyError, type StorageError } from '../core/exceptions'
import { shortenKey } from '../core/keys'
import type { TagVersions } from './tag-versions'
import type { TagStamps } from './tier-tags'
import type { WriteTracker } from './write-tracker'

/** The tags of a write, and the `TagVersions.sequence` read when its computation began. */
export interface Tagging {
  readonly tags: readonly string[]
  readonly since: number
}

/**
 * Runs `write` with the stamps of `tagging` (the tags' current counters), unless one of the tags was
 * invalidated since the computation began: then nothing is stored, and that is no error. When the counters
 * must be read from a tier, a write, delete or clear of `key` made meanwhile wins too.
 */
export function writeStamped(
  key: string,
  tagging: Tagging,
  tags: TagVersions,
  writes: WriteTracker,
  write: (stamps: TagStamps) => Promise<void> | undefined,
): Promise<void> | undefined {
  const stamps = tags.stampsFor(tagging.tags, tagging.since)
  if (!(stamps instanceof Promise)) return stamps && write(stamps)
  const watch = writes.watch(key)
  return stamps
    .then((read) => {
      if (read !== undefined && !writes.changedSince(watch)) return write(read)
    })
    .finally(() => writes.unwatch(watch))
}

/**
 * What `set` and `getOrSet` take as `tags`: a list, or (getOrSet) a function of the computed value.
 *
 * @example
 * ```ts
 * import { Cache, type TagsOption } from 'tiercache'
 *
 * type Playlist = { id: string; videos: { id: string }[] }
 * const byVideo: TagsOption<Playlist> = (playlist) => playlist.videos.map((v) => `video:${v.id}`)
 *
 * const cache = new Cache({ cacheDir: 'cache' })
 * await cache.set('playlist:1', { id: '1', videos: [] }, { tags: ['playlist:1'] })
 * await cache.getOrSet('playlist:2', async () => ({ id: '2', videos: [{ id: 'abc' }] }), { tags: byVideo })
 * ```
 */
export type TagsOption<T> = readonly string[] | ((value: T) => readonly string[])

/** Throws a TypeError naming `option` unless `tags` is an array of non-empty strings. */
export function checkTags(
  tags: unknown,
  option = 'tags option',
): asserts tags is readonly string[] {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== ''))
    throw new TypeError(`${option} must be an array of non-empty strings`)
}

/**
 * The tags of a computed value, with the tag sequence read when its computation began: undefined when the
 * value has none, null when the tags function failed (reported to `onError` as a PolicyError, like a failing
 * `shouldCache`: the caller still gets the value, which is not stored).
 */
export function taggingOf<T>(
  key: string,
  value: T,
  tags: TagsOption<T> | undefined,
  since: number,
  onError: (error: StorageError) => void,
): Tagging | undefined | null {
  if (tags === undefined) return undefined
  if (typeof tags !== 'function') return tags.length ? { tags, since } : undefined
  try {
    const list = tags(value)
    checkTags(list, "the tags function's result")
    return { tags: list, since }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    onError(
      new PolicyError(
        `[tiercache] the tags option failed on the value computed for ${JSON.stringify(shortenKey(key))}, which was not stored: ${reason}`,
        { key, cause: err },
      ),
    )
    return null
  }
}
