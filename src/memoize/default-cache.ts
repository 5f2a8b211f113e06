import { Cache } from '../storage/cache'

let shared: Cache | undefined

/** The Cache that `withCache` and `@Cached` use when given none: memory + files in ./cache, TTL 24 h. Created on first use. */
export function getDefaultCache(): Cache {
  return (shared ??= new Cache())
}

/** Replaces the default Cache (for example, in tests or at application start). */
export function setDefaultCache(cache: Cache): void {
  shared = cache
}
