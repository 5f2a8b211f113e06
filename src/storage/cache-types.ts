import type { Clock } from '../core/clock'
import type { Duration } from '../core/duration'
import type { StorageError } from '../core/exceptions'
import type { CacheBus } from './bus'
import type { RedactKeys } from './diagnostics'
import type { FunctionRecord, FunctionStats } from './function-stats'
import type { FreshnessOptions } from './freshness'
import type { TagsOption } from './tag-options'
import type { Tier } from './tier'

/** The option and result types of `Cache` (src/storage/cache.ts). */

/**
 * Per-call lifetimes for `set`.
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache()
 * const frames = Buffer.alloc(4 * 2 ** 20)
 * // Large data: a week on disk, but only five minutes in memory.
 * await cache.set('video:abc:frames', frames, { ttl: '7d', memoryTtl: '5m' })
 * ```
 */
export interface SetOptions {
  /** Lifetime of the entry in every tier. Seconds, or a duration such as '30m'. */
  ttl?: Duration
  /** A shorter lifetime for the in-process copy (the guide: "use shorter TTL for memory-intensive data"). */
  memoryTtl?: Duration
  /**
   * What the value was derived from (`['video:abc']`): `cache.invalidateTags(['video:abc'])` invalidates it
   * (docs/tags.md).
   */
  tags?: readonly string[]
}

/**
 * What `set` takes as its third argument: a TTL alone, or both lifetimes.
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache()
 * await cache.set('a', 1, 3600) // seconds
 * await cache.set('b', 2, '1h') // a duration
 * await cache.set('c', 3, { ttl: '1h', memoryTtl: '1m' }) // both lifetimes
 * ```
 */
export type TtlArgument = Duration | SetOptions

/**
 * Options of `getOrSet`; the ones that see the computed value let it decide how (or whether) it is kept. The
 * freshness options (stale-while-revalidate, timeouts…) override the cache's for this call.
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * interface Job {
 *   status: 'running' | 'done'
 *   frames: number
 * }
 * const cache = new Cache()
 * const job = await cache.getOrSet<Job>('job:42', async () => ({ status: 'running', frames: 0 }), {
 *   ttl: (value) => (value.status === 'done' ? '7d' : '30s'), // finished jobs keep, running ones refresh
 *   shouldCache: (value) => value.frames >= 0,
 * })
 * ```
 */
export interface GetOrSetOptions<T> extends FreshnessOptions {
  /** Lifetime, or a function of the computed value giving it; a result of 0 means "do not store". */
  ttl?: Duration | ((value: T) => Duration | 0)
  memoryTtl?: Duration
  /** Return false to hand the value to the callers without storing it. */
  shouldCache?: (value: T) => boolean
  /** Receives cache failures; the caller still gets the computed value. Default: the cache's `onError`. */
  onError?: (error: StorageError) => void
  /** Skip the lookup: compute and store even when a value is cached (a refresh). */
  fresh?: boolean
  /** @internal The cached function asking (withCache): its statistics count the call. */
  owner?: FunctionRecord
  /**
   * The tags of the stored value (docs/tags.md): a list, or a function of the computed value for a value
   * derived from several things (`(playlist) => playlist.videos.map((v) => `video:${v.id}`)`).
   */
  tags?: TagsOption<T>
  /** `false`: this call computes on a miss without taking the fleet lease. Default: the cache's `lease`. */
  lease?: boolean
  /** The lease's lifetime without renewal, for this call. Default: the cache's `leaseTtl`. */
  leaseTtl?: Duration
  /** The longest this call waits for another process's lease. Default: the cache's `maxWait`. */
  maxWait?: Duration
}

/**
 * The fleet-lease options, shared by `Cache`, `getOrSet`, `withCache`, `@Cached` and `@CacheConfig`.
 *
 * @example
 * ```ts
 * import { Cache, type LeaseOptions } from 'tiercache'
 *
 * const leasing: LeaseOptions = { lease: true, leaseTtl: '1m', maxWait: '5m' }
 * const cache = new Cache({ cacheDir: 'cache', ...leasing })
 * // One call that would rather compute than wait:
 * await cache.getOrSet('report:2024', async () => 'report', { lease: false })
 * ```
 */
export interface LeaseOptions {
  /**
   * On a miss in every tier, take the key's lease on the file tier (processes sharing `cacheDir`) or the
   * Redis tier (a fleet), so one process computes while the others wait for its value (docs/leases.md).
   * `false` turns it off. Memory-only caches never lease.
   * @default true
   */
  lease?: boolean
  /**
   * How long a lease lives without renewal: the holder renews it every `leaseTtl / 3`, so a crashed holder's
   * lease is taken over after this long. Use one value per key across the processes.
   * @default '30s'
   */
  leaseTtl?: Duration
  /**
   * The longest a waiter waits for another holder; after it, the waiter computes itself (a `max-wait` lease
   * event). Default: as long as the holder keeps its lease alive.
   */
  maxWait?: Duration
}

/**
 * The options of `new Cache(options)`. Every one is optional; see docs/configuration.md for all the
 * options of every class in one place. The freshness
 * options (docs/freshness.md) set here are every call's defaults.
 *
 * @example
 * ```ts
 * import { Cache, type CacheOptions } from 'tiercache'
 *
 * const options: CacheOptions = {
 *   cacheDir: 'cache', // the file tier's folder (ignored when `tiers` is given)
 *   ttl: '24h', // default lifetime of entries
 *   memoryTtl: '10m', // in-process copies live at most 10 minutes
 *   cleanupInterval: '1h', // background removal of expired entries; false for none
 *   onError: (err) => console.warn(err.message),
 * }
 * const cache = new Cache(options)
 * ```
 */
export interface CacheOptions extends FreshnessOptions, LeaseOptions {
  /**
   * Folder of the file tier. Ignored when `tiers` is given.
   * @default 'cache'
   */
  cacheDir?: string
  /**
   * Default lifetime of entries: seconds, or '90s' | '30m' | '1h' | '7d'. `Infinity` keeps entries forever.
   * @default 86_400 (24 hours)
   */
  ttl?: Duration
  /** Default lifetime of in-process copies, when shorter than `ttl`. */
  memoryTtl?: Duration
  /** The tiers, fastest first. Default: `[new MemoryTier(), new FileTier({ dir: cacheDir })]`. */
  tiers?: Tier[]
  /**
   * How often expired entries are removed from every tier in the background; `false` for never.
   * The timer is unref'd: it never keeps a process alive.
   * @default '1h'
   */
  cleanupInterval?: Duration | false
  /**
   * Receives storage failures that `getOrSet`, `withCache` and the cleanup timer recover from.
   * Default: one `console.warn` per cache, then silence.
   */
  onError?: (error: StorageError) => void
  /** Time source for expiry, shared with the default tiers. */
  clock?: Clock
  /**
   * An invalidation bus (`RedisBus` from tiercache/redis) shared by the caches of a fleet: every `set`,
   * `delete`, `clear`, `invalidate` and `refresh` here drops the keys from the other processes' local tiers
   * (README: "Scaling out"). `close()` closes it.
   */
  bus?: CacheBus
  /**
   * Hides keys in what the cache publishes on `node:diagnostics_channel` (docs/observability.md), for keys
   * that hold personal data: a function of the key giving what to show instead, or `true` for a hash of it.
   * @default false
   * @example redactKeys: (key) => key.replace(/user_\d+/, 'user_*')
   */
  redactKeys?: RedactKeys
}

/**
 * Hit and miss counts and sizes, per tier and in total.
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache()
 * const stats = await cache.stats()
 * const hits = Object.values(stats.hits).reduce((sum, n) => sum + n, 0)
 * const lookups = hits + (stats.misses[stats.tiers.at(-1)?.name ?? 'file'] ?? 0)
 * console.log(`hit rate ${((100 * hits) / Math.max(1, lookups)).toFixed(1)} %`)
 * console.log(`${stats.memoryEntries} in memory, ${stats.fileEntries} files (${stats.fileBytes} bytes)`)
 * ```
 */
export interface CacheStats {
  memoryEntries: number
  memoryBytes: number
  fileEntries: number
  fileBytes: number
  /** Hits per tier name. */
  hits: Record<string, number>
  /** Misses per tier name (a lookup that reached that tier and did not find the key there). */
  misses: Record<string, number>
  /** Entries removed by a size bound, summed over tiers. */
  evictions: number
  /** Storage failures seen, summed over tiers. */
  errors: number
  /** Per cached function (`withCache`, `@Cached`), by `namespace:name:v<version>`. */
  functions: Record<string, FunctionStats>
  /** Fleet lease events of this cache, by phase (see `CacheEvents.lease`). */
  leases: Record<'acquired' | 'waited' | 'takeover' | 'max-wait', number>
  /** Stale values served (by reason), background refreshes (by phase) and timeouts (by kind): docs/freshness.md. */
  freshness: {
    staleServed: Record<'revalidate' | 'error' | 'timeout', number>
    refreshes: Record<'start' | 'done' | 'fail', number>
    timeouts: Record<'soft' | 'hard', number>
  }
  tiers: {
    name: string
    entries: number
    bytes: number
    hits: number
    misses: number
    evictions: number
    errors: number
  }[]
}

/**
 * What `cache.memoryCache` shows of the in-process tier: it can be read, never written through.
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache()
 * await cache.set('a', 1)
 * cache.memoryCache.size // 1
 * cache.memoryCache.has('a') // true
 * const keys = [...cache.memoryCache.keys()] // ['a']
 * ```
 */
export interface MemoryCacheView {
  readonly size: number
  keys(): IterableIterator<string>
  has(key: string): boolean
}
