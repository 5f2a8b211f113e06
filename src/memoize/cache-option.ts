import type { Cache } from '../storage/cache'
import type { CacheOption } from './decorator-types'

/**
 * The decorators' `cache` option may be a function of the instance (`(self) => self.cache`: a cache injected
 * by NestJS or any other container). It is called at each call; each cache it returns gets a cached function
 * of its own, made once.
 */

/** Picks, for a call on `self`, the cached function of the cache `option` names; `make` builds one per cache. */
export function cachedByCache<F>(
  option: CacheOption | undefined,
  make: (cache: Cache | undefined) => F,
): (self: unknown) => F {
  if (typeof option !== 'function') {
    const made = make(option)
    return () => made
  }
  const made = new WeakMap<Cache, F>()
  return (self) => {
    const cache = resolveCache(option, self)
    let fn = made.get(cache)
    if (fn === undefined) made.set(cache, (fn = make(cache)))
    return fn
  }
}

/** The cache a `cache` function gives for `self`; a TypeError when it gives something else. */
export function resolveCache(cacheOf: (self: unknown) => Cache, self: unknown): Cache {
  const cache = cacheOf(self)
  if (typeof (cache as Partial<Cache> | null)?.load !== 'function')
    throw new TypeError(
      `the cache option's function must return a Cache (got ${cache === null ? 'null' : typeof cache}): is the instance's cache set before its cached methods run?`,
    )
  return cache
}

/** The options as `withCache` checks them: a `cache` function is checked at each call instead. */
export function withoutCacheFunction<O extends { cache?: unknown }>(
  options: O,
): Omit<O, 'cache'> & { cache?: Cache } {
  if (typeof options?.cache !== 'function') return options as O & { cache?: Cache }
  const { cache: _function, ...rest } = options
  return rest
}
