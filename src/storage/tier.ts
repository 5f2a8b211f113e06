import type { LeaseProvider } from './lease'
import type { TagStamps } from './tier-tags'

/**
 * The contract every storage tier implements. Tiers store and expire; they hold no policy. `Cache` decides
 * what goes where (promotion, stats, error handling), so a new tier (Redis, S3, …) only has to get these
 * methods right, and the compliance suite, `describeTier` in `tiercache/testing`, says whether it does.
 */

/**
 * One stored value.
 *
 * @example
 * ```ts
 * import type { Entry } from 'tiercache'
 *
 * // What a tier receives in `set` and hands back from `get`.
 * const entry: Entry = { key: 'video:abc', value: { scenes: 12 }, expiresAt: Date.now() + 60_000 }
 * const expired = (e: Entry, now: number) => e.expiresAt <= now
 * ```
 */
export interface Entry {
  readonly key: string
  /** The live value. The memory tier hands this back as it was given: cached values are read-only. */
  readonly value: unknown
  /**
   * The codec's text for `value` (see `core/codec.ts`), computed once per `set` and shared by every tier that
   * needs it. Absent when no tier of the cache needs it (a memory-only cache without a byte bound).
   */
  readonly encoded?: string
  /**
   * Large byte arrays of the value, set apart from `encoded`, which refers to them by index. Persistent
   * tiers store them beside the text, as raw bytes.
   */
  readonly attachments?: readonly Uint8Array[]
  /**
   * Absolute expiry in epoch ms (wall clock, so processes sharing storage agree); `Infinity` = never. The
   * hard end: past it the entry is gone. With a stale window it is `freshUntil` plus the longest window.
   */
  readonly expiresAt: number
  /**
   * The end of freshness, epoch ms. From then until `expiresAt` the entry is stale: only a caller that
   * accepts stale values (`staleWhileRevalidate`, `staleIfError`, `timeout`) is served it. Absent: `expiresAt`
   * (no stale window, as every entry written before format 2). Tiers store it and hand it back unchanged.
   */
  readonly freshUntil?: number
  /**
   * `eagerRefresh`: a hit from this time on (epoch ms, before `freshUntil`) starts one background refresh.
   * Absent: none. Tiers store it and hand it back unchanged.
   */
  readonly refreshAt?: number
  /**
   * The longest an in-process copy may live, in ms, when the entry was stored with a `memoryTtl` shorter
   * than its TTL. Persistent tiers keep it, so a copy promoted back into memory honours it too.
   */
  readonly memoryTtlMs?: number
  /**
   * The tags the entry was stored with, each with the tag's counter when the value was computed (see
   * `TagCounters`). The entry is valid while every counter is still that number. Absent: untagged.
   */
  readonly tags?: TagStamps
}

/**
 * Sizes a tier reports to `Cache.stats()`.
 *
 * @example
 * ```ts
 * import { FileTier } from 'tiercache'
 *
 * const { entries, bytes, evictions } = await new FileTier({ dir: 'cache' }).stats()
 * ```
 */
export interface TierStats {
  entries: number
  bytes: number
  /** Entries removed to respect a size bound (not by expiry or by request). */
  evictions: number
}

/**
 * The contract every storage tier implements: `Cache` holds the policy (promotion, statistics, errors),
 * a tier only stores and expires. Pass your tiers to `new Cache({ tiers })`, fastest first.
 *
 * @example
 * ```ts
 * import { Cache, systemClock, type Clock, type Entry, type KeyPredicate, type Tier } from 'tiercache'
 *
 * // A tier over a Map: the whole contract in 25 lines (check yours with `describeTier`).
 * class MapTier implements Tier {
 *   readonly name = 'map'
 *   readonly #entries = new Map<string, Entry>()
 *   constructor(readonly clock: Clock = systemClock) {}
 *   async get(key: string) {
 *     const entry = this.#entries.get(key)
 *     return entry && entry.expiresAt > this.clock.now() ? entry : undefined
 *   }
 *   async set(entry: Entry) {
 *     this.#entries.set(entry.key, entry)
 *   }
 *   async delete(key: string) {
 *     return this.#entries.delete(key)
 *   }
 *   async clear(match?: KeyPredicate) {
 *     const keys = [...this.#entries.keys()].filter((key) => !match || match(key))
 *     return keys.filter((key) => this.#entries.delete(key)).length
 *   }
 *   async prune() {
 *     const now = this.clock.now()
 *     const keys = [...this.#entries].filter(([, e]) => e.expiresAt <= now).map(([key]) => key)
 *     return keys.filter((key) => this.#entries.delete(key)).length
 *   }
 *   async stats() {
 *     return { entries: this.#entries.size, bytes: 0, evictions: 0 }
 *   }
 *   async close() {}
 * }
 * const cache = new Cache({ tiers: [new MapTier()] })
 * ```
 */
export interface Tier {
  /** 'memory' | 'file' | 'redis' …: used in error messages and stats. */
  readonly name: string
  /**
   * Read only on in-process tiers (see `InProcessTier`): every other tier always receives `Entry.encoded`.
   * Optional here so that tiers written before that split still compile.
   */
  readonly needsEncoded?: boolean
  /**
   * True for a tier every process of a fleet sees (Redis): an invalidation bus message leaves it alone, since
   * the sender changed it already. Every other tier is local to its process (memory, a file tier on a local
   * disk) and loses the keys another process changed.
   */
  readonly shared?: boolean
  /** The folder a tier stores its files in, when it has one (`Cache.cacheDir` reports it). */
  readonly dir?: string
  /**
   * Fleet leases, when the tier can hold them for the processes that share it (the file tier on one host, the
   * Redis tier across a fleet): a miss then computes in one process while the others wait (see lease.ts).
   */
  readonly leases?: LeaseProvider
  /** Missing, expired or unreadable → `undefined`. Throws only for real I/O failures. */
  get(key: string): Promise<Entry | undefined>
  /** Atomic: a reader sees the old entry or the new one, never a mix. */
  set(entry: Entry): Promise<void>
  /** True if something was removed. */
  delete(key: string): Promise<boolean>
  /**
   * Removes the keys `match` accepts (every key when omitted) and returns how many. `match.prefix`, when
   * present, is a literal every accepted key starts with: a tier may use it to skip candidates early.
   */
  clear(match?: KeyPredicate): Promise<number>
  /** Removes expired (and, for persistent tiers, unreadable) entries; returns how many. */
  prune(): Promise<number>
  stats(): Promise<TierStats>
  /** Stops timers and releases handles. Idempotent. */
  close(): Promise<void>
  /**
   * Optional: the keys held, expired entries left out, streamed so that no full list is ever built. With
   * `match`, only the keys it accepts. `cache.keys()` needs it of every tier (a tier without it makes that
   * listing fail with a CacheError); `describeTier` checks it with `listsKeys: true`.
   */
  keys?(match?: KeyPredicate): AsyncIterable<string> | Iterable<string>
}

/**
 * A tier that lives in the process (the memory tier): it can be read and written synchronously, so that a
 * hit costs no `await` and storing costs no promise. `Cache` serves its hit path from the first tier when
 * that tier is one of these (see `isInProcessTier`).
 *
 * @example
 * ```ts
 * import { MemoryTier, type InProcessTier } from 'tiercache'
 *
 * const memory: InProcessTier = new MemoryTier()
 * memory.put({ key: 'k', value: 1, expiresAt: Date.now() + 60_000 })
 * memory.peek('k')?.value // 1, read without an await
 * ```
 */
export interface InProcessTier extends Tier {
  /** True when the tier stores `Entry.encoded` (a byte bound), so `Cache` must compute it. */
  readonly needsEncoded: boolean
  /** The number of entries held. */
  readonly size: number
  /**
   * Synchronous read of the hit path: missing, expired, stale (past `freshUntil`) or due for an eager
   * refresh (past `refreshAt`) → `undefined`. One time compared per hit, whatever the entry.
   */
  peek(key: string): Entry | undefined
  /**
   * Synchronous read of an entry `peek` may refuse: stale or due for refresh, until `expiresAt`. Serves
   * stale values without an await. Optional: without it, stale values come from the tiers below.
   */
  peekStale?(key: string): Entry | undefined
  /**
   * Whether an entry that `peek` returned is still the current one for its key (not replaced, removed,
   * evicted, expired, stale or due for refresh). Lets a caller that kept the entry skip the lookup by key.
   */
  isCurrent(entry: Entry): boolean
  /**
   * Whether an entry that `peek` or `peekStale` returned is still the one held for its key and not expired,
   * fresh or not. Lets a caller that kept a stale entry serve it without a lookup. Optional, as `peekStale`.
   */
  holds?(entry: Entry): boolean
  /** Synchronous write: must do exactly what `set` does. */
  put(entry: Entry): void
  /** The keys held and not expired (all of them, or those `match` accepts). */
  keys(match?: KeyPredicate): IterableIterator<string>
}

/** Whether `tier` offers the synchronous in-process methods (a capability check: no `instanceof`). */
export function isInProcessTier(tier: Tier): tier is InProcessTier {
  const t = tier as Partial<InProcessTier>
  return (
    typeof t.peek === 'function' &&
    typeof t.put === 'function' &&
    typeof t.isCurrent === 'function' &&
    typeof t.keys === 'function'
  )
}

const TIER_METHODS = ['get', 'set', 'delete', 'clear', 'prune', 'stats', 'close'] as const

/** Whether `tier` has every method of the `Tier` contract (a bad `tiers` option is refused at once). */
export function isTier(tier: unknown): tier is Tier {
  const t = tier as Record<string, unknown> | null
  return (
    typeof t === 'object' && t !== null && TIER_METHODS.every((m) => typeof t[m] === 'function')
  )
}

/**
 * A filter over keys, as `clear()` takes it.
 *
 * @example
 * ```ts
 * import { MemoryTier, type KeyPredicate } from 'tiercache'
 *
 * // A predicate with its literal prefix: a tier may skip every key without it.
 * const videoKeys: KeyPredicate = Object.assign((key: string) => key.startsWith('video_'), {
 *   prefix: 'video_',
 * })
 * const removed = await new MemoryTier().clear(videoKeys)
 * ```
 */
export type KeyPredicate = ((key: string) => boolean) & { readonly prefix?: string }

/** The stored size of an entry: its encoded text plus its attachments, in bytes (text counted in UTF-16 units). */
export function encodedSize(entry: Entry): number {
  let size = entry.encoded?.length ?? 0
  if (entry.attachments) for (const attachment of entry.attachments) size += attachment.byteLength
  return size
}
