import { processState } from '../core/process-state'
import { Cache } from '../storage/cache'

/** One slot per process, shared by the ESM and CJS builds when an app loads both. */
const defaults = () =>
  processState('default-cache', 1, () => ({ cache: undefined as Cache | undefined }))

/**
 * The Cache that `withCache` and `@Cached` use when given none: memory + files in ./cache, TTL 24 h. Created on first use.
 *
 * @example
 * ```ts
 * import { getDefaultCache } from 'tiercache'
 *
 * const stats = await getDefaultCache().stats() // the cache of every withCache/@Cached given none
 * ```
 */
export function getDefaultCache(): Cache {
  const slot = defaults()
  return (slot.cache ??= new Cache())
}

/**
 * Replaces the default Cache (for example, in tests or at application start).
 *
 * @example
 * ```ts
 * import { Cache, setDefaultCache } from 'tiercache'
 *
 * // At start-up, before the first cached call: every withCache and @Cached without `cache` uses this one.
 * setDefaultCache(new Cache({ cacheDir: '/var/cache/my-app', ttl: '1h' }))
 * ```
 */
export function setDefaultCache(cache: Cache): void {
  defaults().cache = cache
}
