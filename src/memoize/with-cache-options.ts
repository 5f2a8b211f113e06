import { toMs } from '../core/duration'
import type { Cache } from '../storage/cache'
import { FRESHNESS_KEYS, freshnessPolicy, type FreshnessOptions } from '../storage/freshness'
import { checkTags, type TagsOption } from '../storage/tag-options'
import type { WithCacheOptions } from './with-cache'

// The options of withCache, checked once when wrapping, and turned into what each call's load needs.

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
  freshnessPolicy(options) // throws a TypeError naming a bad freshness option
  const { tags, resultTags } = options
  if (tags !== undefined && typeof tags !== 'function') checkTags(tags)
  if (resultTags !== undefined && typeof resultTags !== 'function')
    throw new TypeError(`resultTags option must be a function (got ${typeof resultTags})`)
}

/**
 * The tags option of `getOrSet` for a call: a fixed list, or a function of the call (`self`, `args`) giving
 * the list, or (with `resultTags`) a function of the result. Undefined for an untagged function.
 */
export function makeTagsOf<A extends unknown[], T>(
  options: WithCacheOptions<A, T>,
): readonly string[] | undefined | ((self: unknown, args: A) => TagsOption<T>) {
  const { tags, resultTags } = options
  if (resultTags === undefined) {
    if (typeof tags !== 'function') return tags
    return (self, args) => checkedTags(tags.apply(self, args))
  }
  return (self, args) => {
    const fromArgs = typeof tags === 'function' ? checkedTags(tags.apply(self, args)) : (tags ?? [])
    return (value: T) => [...fromArgs, ...resultTags(value, args)]
  }
}

function checkedTags(tags: unknown): readonly string[] {
  checkTags(tags, "the tags function's result")
  return tags
}

/** The freshness options that are set (none: the cache's apply, and load options stay as they were). */
export function freshnessOf(options: FreshnessOptions): FreshnessOptions {
  const set: Record<string, unknown> = {}
  for (const name of FRESHNESS_KEYS) if (options[name] !== undefined) set[name] = options[name]
  return set as FreshnessOptions
}
