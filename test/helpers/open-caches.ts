import { Cache, type CacheOptions } from '../../src/storage/cache'

/**
 * `open(options)` makes a Cache with `defaults()` (read at each call, so per-test folders and clocks work)
 * plus `options`; every cache opened in a test is closed after it. Several caches over one folder act like
 * several processes.
 */
export function openCaches(defaults: () => CacheOptions): (options?: CacheOptions) => Cache {
  const opened: Cache[] = []
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((cache) => cache.close()))
  })
  return (options = {}) => {
    const cache = new Cache({ cleanupInterval: false, ...defaults(), ...options })
    opened.push(cache)
    return cache
  }
}
