import { isStorageError, type StorageError } from '../core/exceptions'
import type { KeyPattern } from '../core/pattern'
import { processState } from '../core/process-state'
import type { FreshnessOptions } from '../storage/freshness'
import { cachedByCache, resolveCache, withoutCacheFunction } from './cache-option'
import type { AsyncMethodDecorator, CacheOption, ClassOnlyDecorator } from './decorator-types'
import { getDefaultCache } from './default-cache'
import { decorateMethod, isStandardContext, type Named } from './decorate-method'
import { setIdentity } from './function-registry'
import { methodName as nameOfMethod } from './key-prefix'
import { withCache, type CachedFunction, type WithCacheOptions } from './with-cache'
import { checkWithCacheOptions } from './with-cache-options'

/**
 * Method decorators that work under both TypeScript's `experimentalDecorators` and standard (TC39) decorators,
 * with the same options and behaviour. Each decorator tells the two apart by its arguments: a standard method
 * decorator gets `(method, context)`, a legacy one `(prototype, name, descriptor)`.
 *
 * The cached function is built on the first call, not at decoration time: a method decorator runs before the
 * class decorator (`@CacheConfig`) and, under standard decorators, never sees its class. The options are
 * checked at decoration time (when the class is defined) all the same: a bad one is reported then, as a
 * process warning, and makes every call of the method reject with its TypeError. A decorated method returns
 * a promise, so it never throws synchronously.
 */

/**
 * Class-level defaults for the `@Cached` and `@InvalidatesCache` methods of a class. Its `tags` and
 * `resultTags` are added to each method's own.
 *
 * @example
 * ```ts
 * import { CacheConfig, Cached, type CacheConfigOptions } from 'tiercache'
 *
 * const videoDefaults: CacheConfigOptions = { namespace: 'video', version: 2, ttl: '1h' }
 *
 * @CacheConfig(videoDefaults)
 * class VideoService {
 *   @Cached({ ttl: '7d' }) // overrides the class's ttl
 *   async analyze(videoId: string) {
 *     return { videoId, scenes: 12 }
 *   }
 * }
 * ```
 */
export type CacheConfigOptions = Pick<
  WithCacheOptions,
  | 'namespace'
  | 'version'
  | 'ttl'
  | 'memoryTtl'
  | 'shouldCache'
  | 'onError'
  | 'tags'
  | 'resultTags'
  | 'lease'
  | 'leaseTtl'
  | 'maxWait'
  | keyof FreshnessOptions
> & {
  /** The cache, or a function of the instance returning it (`(self) => self.cache`). Default: the default cache. */
  cache?: CacheOption
}

/**
 * Options of `@Cached`: those of `withCache`; they override the class's `@CacheConfig`. `A` and `R` are
 * what the options' functions take (the key function's parameters, the result `shouldCache` sees): inferred
 * from them, and checked against the decorated method.
 *
 * @example
 * ```ts
 * import { Cached, type CachedOptions } from 'tiercache'
 *
 * const daily: CachedOptions = { ttl: '1d', memoryTtl: '10m' }
 *
 * class Reports {
 *   @Cached(daily)
 *   async revenue(day: string) {
 *     return { day, total: 0 }
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- without functions in the options, any method fits
export type CachedOptions<A extends unknown[] = any[], R = any> = Omit<
  WithCacheOptions<A, R>,
  'cache'
> & {
  /** The cache, or a function of the instance returning it (`(self) => self.cache`). Default: the class's, or the default cache. */
  cache?: CacheOption
}

/**
 * Each class's @CacheConfig, in a process-wide WeakMap: shared by the ESM and CJS builds, and no global such
 * as `Reflect.getMetadata` is installed for it. Looked up lazily, so importing tiercache touches nothing.
 */
const classConfigs = () =>
  processState('class-config', 1, () => new WeakMap<object, CacheConfigOptions>())

/**
 * Sets defaults (namespace, version, ttl, cache…) for the cached methods of a class.
 * @example @CacheConfig({ namespace: 'video', version: 2 })
 */
export function CacheConfig(config: CacheConfigOptions): ClassOnlyDecorator {
  return (target: object, context?: unknown): void => {
    // A legacy method or property decorator gets a name as its second argument, a standard one a context.
    const onClass = isStandardContext(context) ? context.kind === 'class' : context === undefined
    if (typeof target !== 'function' || !onClass)
      throw new TypeError('@CacheConfig decorates classes only')
    // Reported now; the calls reject when the merged options are checked again as each method's cache is built.
    checkAtDefinition('CacheConfig', (target as Partial<Named>).name ?? 'a class', config)
    classConfigs().set(target, config)
  }
}

/**
 * Caches a method's results. Default keys are `<namespace>:<Class>.<method>:v<version>:<args>`; instances share
 * entries when their keys are equal (a key function may use `this` to tell them apart).
 * @example @Cached({ ttl: 3600, key: (videoId, segmentId) => `video_${videoId}_segment_${segmentId}` })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see CachedOptions
export function Cached<A extends unknown[] = any[], R = any>(
  typedOptions: CachedOptions<A, R> = {},
): AsyncMethodDecorator<A, R> {
  const options = typedOptions as CachedOptions // the types were checked where the decorator is applied
  return decorateMethod('Cached', (method, methodName, owner, isStatic) => {
    const invalid = checkAtDefinition('Cached', owner.describe(methodName), options)
    /** Picks the cached function for a call: one, or one per cache when `cache` is a function of `this`. */
    let cachedFn: ((self: unknown) => CachedFunction<unknown[], unknown>) | undefined
    const build = (self: unknown) => {
      const declaringClass = owner.get(self)
      const name = nameOfMethod(declaringClass.name, methodName, isStatic)
      // Two classes of one name are told apart by their whole source, not only this method's.
      if (typeof declaringClass === 'function')
        setIdentity(
          method,
          `${String(declaringClass)}\n${name}`,
          `${name} (in class ${declaringClass.name})`,
        )
      const config = configOf(declaringClass)
      const merged = {
        ...config,
        ...options,
        ...mergedTags(config, options),
        key: options.key ?? name,
      }
      return cachedByCache(merged.cache, (cache) => withCache(method, { ...merged, cache }))
    }
    const replacement = function (this: unknown, ...args: unknown[]) {
      if (invalid) return Promise.reject(invalid)
      try {
        return (cachedFn ??= build(this))(this).apply(this, args)
      } catch (err) {
        // A name taken by another class, a bad @CacheConfig option, a cache function that gave no Cache:
        // this call rejects, the next tries again.
        return Promise.reject(err)
      }
    }
    return replacement
  })
}

/**
 * Options of `@InvalidatesCache`.
 *
 * @example
 * ```ts
 * import { Cache, InvalidatesCache, type InvalidatesCacheOptions } from 'tiercache'
 *
 * const cache = new Cache({ cacheDir: 'cache' })
 * const options: InvalidatesCacheOptions<[string]> = {
 *   tags: (videoId) => [`video:${videoId}`],
 *   cache,
 *   onError: (error) => console.warn('invalidation failed', error),
 * }
 *
 * class Videos {
 *   @InvalidatesCache(options)
 *   async rename(videoId: string): Promise<void> {}
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the decorated method's arguments, whatever they are
export interface InvalidatesCacheOptions<A extends unknown[] = any[]> {
  /** The tags to invalidate (`cache.invalidateTags`), from the arguments. */
  tags?: (...args: A) => readonly string[]
  cache?: CacheOption
  onError?: (error: StorageError) => void
}

/**
 * After a successful call, clears every pattern the function returns (globs such as `video_123_*`, RegExps or
 * exact keys) from the cache, and invalidates the `tags` option's tags. A failed call clears nothing; a cache
 * failure goes to `onError` (default: the cache's), and the call's result still returns.
 * @example @InvalidatesCache((videoId) => [`video_${videoId}_*`])
 * @example @InvalidatesCache({ tags: (videoId) => [`video:${videoId}`] })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the decorated method's arguments, whatever they are
export function InvalidatesCache<A extends unknown[] = any[]>(
  patternsOrOptions: ((...args: A) => KeyPattern | KeyPattern[]) | InvalidatesCacheOptions<A>,
  moreOptions: InvalidatesCacheOptions<A> = {},
): AsyncMethodDecorator<A, unknown> {
  const byTagsOnly = typeof patternsOrOptions === 'object' && patternsOrOptions !== null
  const patterns = byTagsOnly ? () => [] : patternsOrOptions
  const options = byTagsOnly ? patternsOrOptions : moreOptions
  return decorateMethod('InvalidatesCache', (method, methodName, owner) => {
    const invalid = checkAtDefinition('InvalidatesCache', owner.describe(methodName), () => {
      if (typeof patterns !== 'function')
        throw new TypeError(
          '@InvalidatesCache needs a function of the arguments giving the patterns, or { tags }',
        )
      if (options.tags !== undefined && typeof options.tags !== 'function')
        throw new TypeError('tags option of @InvalidatesCache must be a function of the arguments')
      checkWithCacheOptions(withoutCacheFunction(options))
    })
    const replacement = async function (this: unknown, ...args: unknown[]) {
      if (invalid) throw invalid
      const result = await method.apply(this, args)
      const config = configOf(owner.get(this))
      const source = options.cache ?? config.cache
      const cache =
        typeof source === 'function' ? resolveCache(source, this) : (source ?? getDefaultCache())
      const onError =
        options.onError ?? config.onError ?? ((err: StorageError) => cache.reportError(err))
      const list = (patterns as (...args: unknown[]) => KeyPattern | KeyPattern[]).apply(this, args)
      const tags = options.tags?.apply(this, args as A)
      const changes = (Array.isArray(list) ? list : [list]).map(
        (pattern) => () => cache.clear(pattern),
      )
      if (tags !== undefined) changes.push(() => cache.invalidateTags(tags).then(() => 0))
      for (const change of changes) {
        try {
          await change()
        } catch (err) {
          if (!isStorageError(err)) throw err
          onError(err)
        }
      }
      return result
    }
    return replacement
  })
}

// --- Internal helpers ---

/**
 * Checks a decorator's options when the class is defined. A bad one is reported at once as a process warning
 * (throwing here would abort loading the whole module) and returned: the decorated calls reject with it.
 */
function checkAtDefinition(
  decorator: string,
  where: string,
  check: object | (() => void),
): Error | undefined {
  try {
    if (typeof check === 'function') check()
    else checkWithCacheOptions(withoutCacheFunction(check) as WithCacheOptions<never, never>)
    return undefined
  } catch (err) {
    const error = err as Error
    process.emitWarning(
      `[tiercache] @${decorator} on ${where}: ${error.message}. ${decorator === 'CacheConfig' ? 'Calls of its cached methods reject with this error, unless their own options override it' : 'Every call of the decorated method rejects with this error'}.`,
      { type: 'TiercacheWarning', code: 'TIERCACHE_BAD_OPTION' },
    )
    return error
  }
}

/** A class's tags followed by the method's own: @CacheConfig adds tags to every method. */
function mergedTags(
  config: CacheConfigOptions,
  options: CachedOptions,
): Pick<CachedOptions, 'tags' | 'resultTags'> {
  const tags = [config.tags, options.tags].filter((t) => t !== undefined)
  const fromResult = [config.resultTags, options.resultTags].filter((t) => t !== undefined)
  return {
    tags:
      tags.length < 2
        ? tags[0]
        : function (this: unknown, ...args: unknown[]) {
            return tags.flatMap((t) => (typeof t === 'function' ? t.apply(this, args) : t))
          },
    resultTags:
      fromResult.length < 2
        ? fromResult[0]
        : (result, args) => fromResult.flatMap((t) => t(result, args)),
  }
}

/** The @CacheConfig of `owner`, or of the nearest class it extends that has one (as reflect-metadata did). */
function configOf(owner: object): CacheConfigOptions {
  const configs = classConfigs()
  for (let o: object | null = owner; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const config = configs.get(o)
    if (config !== undefined) return config
  }
  return {}
}
