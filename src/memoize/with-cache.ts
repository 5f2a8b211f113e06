import type { Duration } from '../core/duration'
import { CacheError, type StorageError } from '../core/exceptions'
import type { Cache, GetOrSetOptions, LeaseOptions } from '../storage/cache'
import { functionId, type FunctionStats } from '../storage/function-stats'
import type { FreshnessOptions } from '../storage/freshness'
import { ArgsIndex } from './args-index'
import { getDefaultCache } from './default-cache'
import { claimPrefix } from './function-registry'
import { callText, keyBuilder, type Hashable } from './key'
import { keyPrefix, sourceFingerprint } from './key-prefix'
import { checkWithCacheOptions, freshnessOf, makeTagsOf } from './with-cache-options'

/**
 * Options of `withCache` (and of `@Cached`). The freshness options (`staleWhileRevalidate`, `staleIfError`,
 * `timeout`, `hardTimeout`, `eagerRefresh`, `jitter`: docs/freshness.md) override the cache's.
 * `lease: false` computes without the fleet lease (docs/leases.md).
 *
 * @example
 * ```ts
 * import { Cache, withCache, type WithCacheOptions } from 'tiercache'
 *
 * interface Metadata {
 *   status: 'processing' | 'ready'
 * }
 * const options: WithCacheOptions<[videoId: string], Metadata> = {
 *   namespace: 'video',
 *   version: 2, // bump it when Metadata changes shape: old entries are never read
 *   ttl: (meta) => (meta.status === 'processing' ? '1m' : '7d'),
 *   memoryTtl: '10m',
 *   shouldCache: (meta) => meta.status !== undefined,
 *   cache: new Cache({ cacheDir: 'cache' }),
 * }
 * const getMetadata = withCache(async (videoId: string): Promise<Metadata> => ({ status: 'ready' }), options)
 * ```
 */
export interface WithCacheOptions<A extends unknown[] = unknown[], R = unknown>
  extends FreshnessOptions, LeaseOptions {
  /**
   * Lifetime of each result: seconds, a duration ('30m'), or a function of the result and the arguments.
   * A function returning 0 leaves that result uncached. Default: the cache's TTL (24 h for the default cache).
   * @example ttl: (video) => (video.status === 'processing' ? '1m' : '7d')
   */
  ttl?: Duration | ((result: R, args: A) => Duration | 0)
  /** A shorter lifetime for the in-process copy. */
  memoryTtl?: Duration
  /**
   * The key: a function of the arguments whose result is used as the key (followed by `:v<version>` when a
   * version is set), or a string that names the function in the default key.
   * @example key: (videoId, segmentId) => `video_${videoId}_segment_${segmentId}`
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- `this` is whatever the method's class is
  key?: string | ((this: any, ...args: A) => string)
  /** First segment of default keys, e.g. 'video'. */
  namespace?: string
  /**
   * Bump it when the result's shape changes: every key of the function moves, so old results are never read.
   * @default 1
   */
  version?: string | number
  /**
   * Puts a fingerprint of the function's source in its default keys, so that processes sharing a folder
   * never read entries written by other code. Any change to the function's source moves all its keys.
   * @default false
   */
  integrity?: boolean
  /**
   * Classes whose instances default keys may hash by their enumerable own properties. Their `#private` fields
   * and closures are invisible to the key: list only classes whose whole state is enumerable.
   * @example hashInstancesOf: [Point]
   */
  hashInstancesOf?: Hashable
  /** Where results live. Default: the shared default Cache (`getDefaultCache()`). */
  cache?: Cache
  /** Return false for results that must not be stored (e.g. partial or empty answers). */
  shouldCache?: (result: R) => boolean
  /** Receives cache failures (the caller still gets the computed result). Default: the cache's `onError`. */
  onError?: (error: StorageError) => void
  /**
   * Tags of each result, from the arguments (or a fixed list): what the result was derived from.
   * `cache.invalidateTags(['video:abc'])` invalidates every result tagged `video:abc` (docs/tags.md).
   * @example tags: ({ videoId }) => [`video:${videoId}`]
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- `this` is whatever the method's class is
  tags?: readonly string[] | ((this: any, ...args: A) => readonly string[])
  /**
   * Tags of each result, from the result itself (and the arguments): for a result derived from several
   * things, such as a playlist summary of many videos. Added to `tags`.
   * @example resultTags: (playlist) => playlist.videoIds.map((id) => `video:${id}`)
   */
  resultTags?: (result: R, args: A) => readonly string[]
}

/**
 * A cached function: `fn`'s signature, returning a promise, with helpers to inspect and control its entries.
 *
 * @example
 * ```ts
 * import { withCache, type CachedFunction } from 'tiercache'
 *
 * const getMetadata: CachedFunction<[videoId: string], { title: string }> = withCache(
 *   async (videoId: string) => ({ title: `video ${videoId}` }),
 *   { namespace: 'video', key: 'getMetadata', version: 2 },
 * )
 * getMetadata.keyFor('abc') // 'video:getMetadata:v2:abc'
 * await getMetadata('abc') // computed, then cached
 * await getMetadata.peek('abc') // the cached value, or undefined; never computes
 * await getMetadata.refresh('abc') // recomputed and stored
 * await getMetadata.invalidate('abc') // removed from every tier
 * ```
 */
export interface CachedFunction<A extends unknown[], R> {
  (...args: A): Promise<R>
  /** The exact key a call with these arguments uses. */
  keyFor(...args: A): string
  /** Removes the entry for these arguments from every tier. */
  invalidate(...args: A): Promise<boolean>
  /** The cached result for these arguments, without computing; undefined when there is none. */
  peek(...args: A): Promise<R | undefined>
  /** Recomputes, stores and returns the result for these arguments, whatever is cached. */
  refresh(...args: A): Promise<R>
  /** The Cache holding the results. */
  readonly cache: Cache
  /**
   * This function's calls, hits by tier, misses, joins, runs and their time, and the time the cache saved
   * (docs/observability.md). Shared by every wrapper of the function on its cache; `cache.stats().functions`
   * lists them all.
   */
  stats(): FunctionStats
}

/**
 * Wraps an async (or sync) function so that its results are cached. Concurrent calls with the same key run
 * `fn` once; a rejection reaches every waiting caller and is not cached; a failing cache never costs the
 * caller the result.
 * @example const getVideoMetadata = withCache(fetchMetadata, { ttl: 1800, namespace: 'video', version: 2 })
 */
export function withCache<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options: WithCacheOptions<A, Awaited<R>> = {},
): CachedFunction<A, Awaited<R>> {
  type T = Awaited<R>
  if (typeof fn !== 'function') throw new TypeError('withCache needs a function to wrap')
  checkWithCacheOptions(options)
  const cache = options.cache ?? getDefaultCache()
  const [keyOf, prefix] = makeKeyOf(fn, options, cache)
  const { ttl, memoryTtl, shouldCache, onError, lease, leaseTtl, maxWait } = options
  // The events of this function's calls add to it (see StatsRecorder); a hit is one increment.
  const owner = cache.functionRecord(
    functionId(
      options.namespace,
      typeof options.key === 'string' ? options.key : fn.name,
      options.version,
    ),
    prefix,
  )
  const freshness = freshnessOf(options)
  const tagsOf = makeTagsOf(options)
  // Options that do not depend on the arguments are built once, not on every miss.
  const fixedOptions: GetOrSetOptions<T> | undefined =
    typeof ttl === 'function' || typeof tagsOf === 'function'
      ? undefined
      : {
          ttl,
          memoryTtl,
          shouldCache,
          onError,
          owner,
          tags: tagsOf,
          lease,
          leaseTtl,
          maxWait,
          ...freshness,
        }
  const loadOptions = (self: unknown, args: A, fresh = false): GetOrSetOptions<T> =>
    fixedOptions !== undefined && !fresh
      ? fixedOptions
      : {
          ttl: typeof ttl === 'function' ? (value: T) => ttl(value, args) : ttl,
          memoryTtl,
          shouldCache,
          onError,
          fresh,
          owner,
          ...freshness,
          tags: typeof tagsOf === 'function' ? tagsOf(self, args) : tagsOf,
          lease,
          leaseTtl,
          maxWait,
        }
  const compute = (self: unknown, args: A) => () => fn.apply(self, args) as Promise<T> | T
  const keyOfCall = (self: unknown, args: A) => keyOf(self, args, callText(args))

  // Default keys depend on the arguments alone, so their entries can be found by argument (see ArgsIndex).
  const index = typeof options.key === 'function' ? undefined : new ArgsIndex()

  const cached = function (this: unknown, ...args: A): Promise<T> {
    owner.calls++
    // Computed once per call, for the index and the key builder both (object arguments only).
    const text = index === undefined ? undefined : callText(args)
    const known = index?.get(args, text)
    if (known !== undefined) {
      if (cache.isCurrent(known, owner)) return Promise.resolve(known.value as T)
      const served = fixedOptions && cache.serveKept(known, compute(this, args), fixedOptions)
      if (served !== undefined) return served
    }
    let key: string
    // A remembered entry that is no longer current (stale, replaced, evicted) still names this call's key.
    if (known !== undefined) key = known.key
    else
      try {
        key = keyOf(this, args, text)
      } catch (err) {
        return Promise.reject(err)
      }
    const hit = cache.peek(key, owner)
    if (hit !== undefined) {
      index?.set(args, text, hit)
      return Promise.resolve(hit.value as T)
    }
    let load: GetOrSetOptions<T>
    try {
      load = loadOptions(this, args)
    } catch (err) {
      return Promise.reject(err) // a throwing tags function fails the call, as a throwing key function does
    }
    // A stale entry (or one due for refresh) is remembered too, so that the next call skips building its key;
    // so is one that replaced the remembered entry (a refresh's, no call hit while it was fresh).
    if (index !== undefined) {
      const held = cache.peekStale(key)
      if (held !== undefined && held !== known) index.set(args, text, held)
    }
    return cache.load(key, compute(this, args), load)
  } as CachedFunction<A, T>

  Object.defineProperties(cached, {
    name: { value: fn.name, configurable: true },
    length: { value: fn.length, configurable: true },
    cache: { value: cache, enumerable: true },
    stats: { value: () => owner.report(cache.tiers.map((tier) => tier.name)) },
    keyFor: { value: (...args: A) => keyOfCall(undefined, args) },
    // async, so that an argument no key can be built from rejects like a call does, rather than throws
    invalidate: { value: async (...args: A) => cache.delete(keyOfCall(undefined, args)) },
    peek: { value: async (...args: A) => cache.get<T>(keyOfCall(undefined, args)) },
    refresh: {
      value: async function (this: unknown, ...args: A) {
        return cache.load(keyOfCall(this, args), compute(this, args), loadOptions(this, args, true))
      },
    },
  })
  return cached
}

/**
 * Builds the key function: the user's, followed by the version when one is set, or the default scheme; and
 * the default keys' prefix (undefined with a key function).
 */
function makeKeyOf<A extends unknown[]>(
  fn: (...args: A) => unknown,
  options: WithCacheOptions<A, never>,
  cache: Cache,
): [(self: unknown, args: A, text: string | undefined) => string, string | undefined] {
  // The options' types were checked by checkWithCacheOptions.
  const { key, namespace, version, integrity, hashInstancesOf } = options
  if (typeof key === 'function') {
    const suffix = version === undefined ? '' : `:v${version}`
    const keyOfCall = (self: unknown, args: A) => {
      const userKey = key.apply(self, args)
      if (typeof userKey !== 'string' || userKey === '')
        throw new CacheError(
          `[tiercache] the key function of ${fn.name || 'a cached function'} must return a non-empty string`,
        )
      return userKey + suffix
    }
    return [keyOfCall, undefined]
  }
  const name = key ?? fn.name
  if (!name && namespace === undefined) {
    throw new CacheError(
      '[tiercache] an anonymous function needs a `key` (function or name) or a `namespace`: otherwise two such functions would share keys',
    )
  }
  const prefix = keyPrefix({
    namespace,
    name,
    version,
    fingerprint: integrity ? sourceFingerprint(String(fn)) : undefined,
  })
  claimPrefix(cache, prefix, fn)
  const keyOfArgs = keyBuilder(prefix, undefined, hashInstancesOf)
  return [(_self, args, text) => keyOfArgs(args, text), prefix]
}
