import { LRUCache } from 'lru-cache'
import { checkPositiveInteger } from '../../core/options'
import { readClock, systemClock, type Clock } from '../../core/clock'
import {
  encodedSize,
  type Entry,
  type InProcessTier,
  type KeyPredicate,
  type TierStats,
} from '../tier'

/**
 * The options of `new MemoryTier(options)`: bounds on what the process holds in memory.
 *
 * @example
 * ```ts
 * import { MemoryTier, type MemoryTierOptions } from 'tiercache'
 *
 * const options: MemoryTierOptions = { maxEntries: 1_000, maxBytes: 32 * 2 ** 20 }
 * const memory = new MemoryTier(options)
 * ```
 */
export interface MemoryTierOptions {
  /**
   * The most entries held; the least recently used go first.
   * @default 10_000
   */
  maxEntries?: number
  /** A bound on the summed encoded size of the entries, in bytes (UTF-16 code units of the codec's text). */
  maxBytes?: number
  /**
   * An entry whose encoded size exceeds this is not held in memory at all; it lives in the tiers below.
   * The guide's "data too large for memory cache". Defaults to `maxBytes / 4` when `maxBytes` is set.
   */
  maxEntryBytes?: number
  /** Time source for expiry. */
  clock?: Clock
}

/** What the LRU holds: the live value, never re-parsed on a hit. */
interface MemoryRecord extends Entry {
  value: unknown
  readonly size: number
  /** False once the LRU has let go of it; see isCurrent(). */
  held: boolean
  /**
   * The first time a hit needs more than a read: stale (`freshUntil`) or due for an eager refresh
   * (`refreshAt`). `peek` and `isCurrent` compare only this, so a window costs the hit path nothing.
   */
  readonly renewAt: number
}

/** isCurrent() refreshes an entry's LRU position on one call in this many: recency stays close, at an eighth of the cost. */
const TOUCH_EVERY = 8

/**
 * The in-process tier: an LRU (lru-cache) of live values with absolute expiry times.
 *
 * @example
 * ```ts
 * import { Cache, FileTier, MemoryTier } from 'tiercache'
 *
 * // At most 500 entries and 64 MiB in memory; an entry over 8 MiB skips memory and lives on disk only.
 * const cache = new Cache({
 *   tiers: [
 *     new MemoryTier({ maxEntries: 500, maxBytes: 64 * 2 ** 20, maxEntryBytes: 8 * 2 ** 20 }),
 *     new FileTier({ dir: 'cache' }),
 *   ],
 * })
 * ```
 */
export class MemoryTier implements InProcessTier {
  readonly name = 'memory'
  readonly needsEncoded: boolean
  readonly #lru: LRUCache<string, MemoryRecord>
  readonly #clock: Clock
  readonly #maxEntryBytes: number
  readonly #bounded: boolean
  #bytes = 0
  #evictions = 0
  #lookupsSinceTouch = 0

  constructor(options: MemoryTierOptions = {}) {
    const { maxEntries = 10_000, maxBytes, maxEntryBytes, clock = systemClock } = options
    checkPositiveInteger('maxEntries', maxEntries, false)
    checkPositiveInteger('maxBytes', maxBytes)
    checkPositiveInteger('maxEntryBytes', maxEntryBytes)
    this.#clock = clock
    this.#bounded = maxBytes !== undefined
    this.#maxEntryBytes =
      maxEntryBytes ?? (maxBytes !== undefined ? Math.max(1, Math.floor(maxBytes / 4)) : Infinity)
    this.needsEncoded = maxBytes !== undefined || maxEntryBytes !== undefined
    this.#lru = new LRUCache<string, MemoryRecord>({
      max: maxEntries,
      ...(maxBytes !== undefined && { maxSize: maxBytes }),
      dispose: (record, _key, reason) => {
        // Callers may still hold the record (isCurrent); drop the value so they cannot keep it alive.
        record.held = false
        record.value = undefined
        this.#bytes -= record.size
        if (reason === 'evict') this.#evictions++
      },
    })
  }

  peek(key: string): Entry | undefined {
    const record = this.#lru.get(key)
    if (record === undefined) return undefined
    const now = readClock(this.#clock)
    if (record.renewAt <= now) {
      // Stale entries stay until expiresAt: peekStale() serves them.
      if (record.expiresAt <= now) this.#lru.delete(key)
      return undefined
    }
    return record
  }

  peekStale(key: string): Entry | undefined {
    const record = this.#lru.get(key)
    if (record === undefined) return undefined
    if (record.expiresAt <= readClock(this.#clock)) {
      this.#lru.delete(key)
      return undefined
    }
    return record
  }

  isCurrent(entry: Entry): boolean {
    const record = entry as MemoryRecord
    const now = this.#nowIfHeld(record)
    if (now === undefined) return false
    if (record.renewAt <= now) {
      if (record.expiresAt <= now) this.#lru.delete(record.key)
      return false
    }
    this.#touchSometimes(record)
    return true
  }

  holds(entry: Entry): boolean {
    const record = entry as MemoryRecord
    const now = this.#nowIfHeld(record)
    if (now === undefined) return false
    if (record.expiresAt <= now) {
      this.#lru.delete(record.key)
      return false
    }
    this.#touchSometimes(record)
    return true
  }

  /** The clock's reading while `record` is held (not replaced, removed or evicted); else undefined. */
  #nowIfHeld(record: MemoryRecord): number | undefined {
    if (record.held !== true) return undefined
    try {
      return readClock(this.#clock)
    } catch {
      return undefined // no verdict on a bad reading: the caller falls back to peek(), which reports it
    }
  }

  #touchSometimes(record: MemoryRecord): void {
    if (++this.#lookupsSinceTouch === TOUCH_EVERY) {
      this.#lookupsSinceTouch = 0
      this.#lru.get(record.key)
    }
  }

  async get(key: string): Promise<Entry | undefined> {
    return this.peekStale(key)
  }

  async set(entry: Entry): Promise<void> {
    this.put(entry)
  }

  put(entry: Entry): void {
    const size = encodedSize(entry)
    // `!(>)`: an expiry that is not a number (NaN) counts as dead, never as immortal.
    if (size > this.#maxEntryBytes || !(entry.expiresAt > readClock(this.#clock))) {
      // Too large (or already dead) for memory: make sure no older copy of the key lingers here either.
      this.#lru.delete(entry.key)
      return
    }
    const { expiresAt, refreshAt } = entry
    // Compared so that a missing or NaN time falls back to the later one, never makes an entry fresh forever.
    const freshUntil = (entry.freshUntil ?? NaN) <= expiresAt ? entry.freshUntil! : expiresAt
    const record: MemoryRecord = {
      key: entry.key,
      value: entry.value,
      expiresAt,
      freshUntil,
      refreshAt,
      tags: entry.tags,
      size,
      held: true,
      renewAt: (refreshAt ?? NaN) < freshUntil ? refreshAt! : freshUntil,
    }
    this.#lru.set(entry.key, record, this.#bounded ? { size: Math.max(1, size) } : undefined)
    if (!this.#bounded || this.#lru.peek(entry.key) === record) this.#bytes += size // a bounded LRU refuses entries over maxBytes
  }

  async delete(key: string): Promise<boolean> {
    return this.#lru.delete(key)
  }

  async clear(match?: KeyPredicate): Promise<number> {
    if (!match) {
      const count = this.#lru.size
      this.#lru.clear()
      return count
    }
    let count = 0
    for (const key of [...this.#lru.keys()]) if (match(key) && this.#lru.delete(key)) count++
    return count
  }

  async prune(): Promise<number> {
    const now = readClock(this.#clock)
    let count = 0
    for (const [key, record] of [...this.#lru.entries()]) {
      if (record.expiresAt <= now && this.#lru.delete(key)) count++
    }
    return count
  }

  async stats(): Promise<TierStats> {
    return { entries: this.#lru.size, bytes: this.#bytes, evictions: this.#evictions }
  }

  /** The keys held and not expired (those `match` accepts), most recently used first. */
  *keys(match?: KeyPredicate): IterableIterator<string> {
    const now = readClock(this.#clock)
    for (const [key, record] of this.#lru.entries())
      if (record.expiresAt > now && (match === undefined || match(key))) yield key
  }

  get size(): number {
    return this.#lru.size
  }

  async close(): Promise<void> {}
}
