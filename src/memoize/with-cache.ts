import { toMs, type Duration } from '../core/duration'
import { CacheError, type StorageError } from '../core/exceptions'
import type { Cache, GetOrSetOptions, LeaseOptions } from '../storage/cache'
import { ArgsIndex } from './args-index'
import { getDefaultCache } from './default-cache'
import { claimPrefix } from './function-registry'
import { callText, keyBuilder, type Hashable } from './key'
import { keyPrefix, sourceFingerprint } from './key-prefix'

/** Options of `withCache` (and of `@Cached`). `lease: false` computes without the fleet lease (docs/leases.md). */
export interface WithCacheOptions<
  A extends unknown[] = unknown[],
  R = unknown,
> extends LeaseOptions {
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
}

/** A cached function: `fn`'s signature, returning a promise, with helpers to inspect and control its entries. */
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
  const keyOf = makeKeyOf(fn, options, cache)
  const { ttl, memoryTtl, shouldCache, onError, lease, leaseTtl, maxWait } = options
  // Options that do not depend on the arguments are built once, not on every miss.
  const fixedOptions: GetOrSetOptions<T> | undefined =
    typeof ttl === 'function'
      ? undefined
      : { ttl, memoryTtl, shouldCache, onError, lease, leaseTtl, maxWait }
  const loadOptions = (args: A, fresh = false): GetOrSetOptions<T> =>
    fixedOptions !== undefined && !fresh
      ? fixedOptions
      : {
          ttl: typeof ttl === 'function' ? (value: T) => ttl(value, args) : ttl,
          memoryTtl,
          shouldCache,
          onError,
          fresh,
          lease,
          leaseTtl,
          maxWait,
        }
  const compute = (self: unknown, args: A) => () => fn.apply(self, args) as Promise<T> | T
  const keyOfCall = (self: unknown, args: A) => keyOf(self, args, callText(args))

  // Default keys depend on the arguments alone, so their entries can be found by argument (see ArgsIndex).
  const index = typeof options.key === 'function' ? undefined : new ArgsIndex()

  const cached = function (this: unknown, ...args: A): Promise<T> {
    // Computed once per call, for the index and the key builder both (object arguments only).
    const text = index === undefined ? undefined : callText(args)
    const known = index?.get(args, text)
    if (known !== undefined && cache.isCurrent(known)) return Promise.resolve(known.value as T)
    let key: string
    try {
      key = keyOf(this, args, text)
    } catch (err) {
      return Promise.reject(err)
    }
    const hit = cache.peek(key)
    if (hit !== undefined) {
      index?.set(args, text, hit)
      return Promise.resolve(hit.value as T)
    }
    return cache.load(key, compute(this, args), loadOptions(args))
  } as CachedFunction<A, T>

  Object.defineProperties(cached, {
    name: { value: fn.name, configurable: true },
    length: { value: fn.length, configurable: true },
    cache: { value: cache, enumerable: true },
    keyFor: { value: (...args: A) => keyOfCall(undefined, args) },
    // async, so that an argument no key can be built from rejects like a call does, rather than throws
    invalidate: { value: async (...args: A) => cache.delete(keyOfCall(undefined, args)) },
    peek: { value: async (...args: A) => cache.get<T>(keyOfCall(undefined, args)) },
    refresh: {
      value: async function (this: unknown, ...args: A) {
        return cache.load(keyOfCall(this, args), compute(this, args), loadOptions(args, true))
      },
    },
  })
  return cached
}

/**
 * Throws a TypeError naming the first option of `withCache` (or of `@Cached`, `@CacheConfig`) that is not
 * what it must be. Run when wrapping, and by the decorators when the class is defined: a bad fixed TTL found
 * only after `fn` ran would cost every call its result. (Functions of the result can only fail later; the
 * cache reports that to `onError`, see LifetimePolicy.ofComputed.)
 */
export function checkWithCacheOptions(options: WithCacheOptions<never, never>): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('the options must be an object')
  const { ttl, memoryTtl, shouldCache, onError, cache, key, namespace, version } = options
  if (ttl !== undefined && typeof ttl !== 'function') toMs(ttl, 'ttl')
  if (memoryTtl !== undefined) toMs(memoryTtl, 'memoryTtl')
  if (options.lease !== undefined && typeof options.lease !== 'boolean')
    throw new TypeError(`lease option must be a boolean (got ${typeof options.lease})`)
  if (options.leaseTtl !== undefined && !(toMs(options.leaseTtl, 'leaseTtl') > 0))
    throw new TypeError('leaseTtl option must be a positive duration')
  if (options.maxWait !== undefined) toMs(options.maxWait, 'maxWait')
  for (const [name, value] of [
    ['shouldCache', shouldCache],
    ['onError', onError],
  ] as const) {
    if (value !== undefined && typeof value !== 'function')
      throw new TypeError(`${name} option must be a function (got ${typeof value})`)
  }
  if (cache !== undefined && typeof (cache as Partial<Cache> | null)?.load !== 'function')
    throw new TypeError('cache option must be a Cache')
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace === ''))
    throw new TypeError('namespace option must be a non-empty string')
  if (version !== undefined && typeof version !== 'string' && typeof version !== 'number')
    throw new TypeError('version option must be a string or a number')
  if (key !== undefined && typeof key !== 'function' && (typeof key !== 'string' || key === ''))
    throw new TypeError('key option must be a function or a non-empty string')
  if (options.hashInstancesOf !== undefined && !Array.isArray(options.hashInstancesOf))
    throw new TypeError('hashInstancesOf option must be an array of classes')
}

/** Builds the key function: the user's, followed by the version when one is set, or the default scheme. */
function makeKeyOf<A extends unknown[]>(
  fn: (...args: A) => unknown,
  options: WithCacheOptions<A, never>,
  cache: Cache,
): (self: unknown, args: A, text: string | undefined) => string {
  // The options' types were checked by checkWithCacheOptions.
  const { key, namespace, version, integrity, hashInstancesOf } = options
  if (typeof key === 'function') {
    const suffix = version === undefined ? '' : `:v${version}`
    return (self, args) => {
      const userKey = key.apply(self, args)
      if (typeof userKey !== 'string' || userKey === '')
        throw new CacheError(
          `[tiercache] the key function of ${fn.name || 'a cached function'} must return a non-empty string`,
        )
      return userKey + suffix
    }
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
  return (_self, args, text) => keyOfArgs(args, text)
}
