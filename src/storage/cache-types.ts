import type { Clock } from '../core/clock'
import type { Duration } from '../core/duration'
import type { StorageError } from '../core/exceptions'
import type { CacheBus } from './bus'
import type { Tier } from './tier'

/** The option and result types of `Cache` (src/storage/cache.ts). */

/** Per-call lifetimes for `set`. */
export interface SetOptions {
  /** Lifetime of the entry in every tier. Seconds, or a duration such as '30m'. */
  ttl?: Duration
  /** A shorter lifetime for the in-process copy (the guide: "use shorter TTL for memory-intensive data"). */
  memoryTtl?: Duration
}

/** What `set` takes as its third argument: a TTL alone, or both lifetimes. */
export type TtlArgument = Duration | SetOptions

/** Options of `getOrSet`; the ones that see the computed value let it decide how (or whether) it is kept. */
export interface GetOrSetOptions<T> {
  /** Lifetime, or a function of the computed value giving it; a result of 0 means "do not store". */
  ttl?: Duration | ((value: T) => Duration | 0)
  memoryTtl?: Duration
  /** Return false to hand the value to the callers without storing it. */
  shouldCache?: (value: T) => boolean
  /** Receives cache failures; the caller still gets the computed value. Default: the cache's `onError`. */
  onError?: (error: StorageError) => void
  /** Skip the lookup: compute and store even when a value is cached (a refresh). */
  fresh?: boolean
  /** `false`: this call computes on a miss without taking the fleet lease. Default: the cache's `lease`. */
  lease?: boolean
  /** The lease's lifetime without renewal, for this call. Default: the cache's `leaseTtl`. */
  leaseTtl?: Duration
  /** The longest this call waits for another process's lease. Default: the cache's `maxWait`. */
  maxWait?: Duration
}

/** The fleet-lease options, shared by `Cache`, `getOrSet`, `withCache`, `@Cached` and `@CacheConfig`. */
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

export interface CacheOptions extends LeaseOptions {
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
}

/** Hit and miss counts and sizes, per tier and in total. */
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
  /** Fleet lease events of this cache, by phase (see `CacheEvents.lease`). */
  leases: Record<'acquired' | 'waited' | 'takeover' | 'max-wait', number>
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

/** What `cache.memoryCache` shows of the in-process tier: it can be read, never written through. */
export interface MemoryCacheView {
  readonly size: number
  keys(): IterableIterator<string>
  has(key: string): boolean
}
