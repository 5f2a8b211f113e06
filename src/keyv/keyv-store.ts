import { EventEmitter } from 'node:events'
import type { KeyPattern } from '../core/pattern'
import type { Cache } from '../storage/cache'

/**
 * A tiercache `Cache` as a Keyv storage adapter: `new Keyv({ store: toKeyvStore(cache) })`. Keyv (5 or 6) and
 * everything built on it (cache-manager 7, cacheable) then store in tiercache's tiers: the crash-safe file tier,
 * Redis, or any tier of your own. Keyv hands this adapter keys (with its namespace in front) and its own
 * serialized values; tiercache stores them as they come, with Keyv's TTL.
 *
 * Units: Keyv's TTLs are milliseconds; no TTL (or 0) means the entry never expires, whatever the cache's
 * default `ttl`. `disconnect()` closes the cache.
 *
 * @example
 * ```ts
 * import Keyv from 'keyv'
 * import { Cache } from 'tiercache'
 * import { toKeyvStore } from 'tiercache/keyv'
 *
 * const keyv = new Keyv({ store: toKeyvStore(new Cache({ cacheDir: './cache' })), namespace: 'api' })
 * await keyv.set('user:1', { name: 'Ada' }, 60_000) // one minute
 * ```
 */
export function toKeyvStore(cache: Cache): KeyvStoreOfCache {
  return new KeyvStoreOfCache(cache)
}

/**
 * The adapter `toKeyvStore` returns: a Keyv storage adapter (`get`, `set`, `delete`, `clear`, `iterator`…)
 * over `cache`.
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 * import { toKeyvStore } from 'tiercache/keyv'
 *
 * const store = toKeyvStore(new Cache({ cacheDir: './cache' }))
 * await store.set('k', 'v', 1_000) // what Keyv calls: a TTL of one second, in ms
 * ```
 */
export class KeyvStoreOfCache extends EventEmitter {
  /**
   * Keyv 5 offers `iterator()` only for an adapter whose `opts.dialect` is on its list of stores it knows can
   * iterate (SQL, Mongo, Redis…); tiercache lists keys the way Redis does (a streamed scan), so it says 'redis'.
   */
  readonly opts = { dialect: 'redis', url: 'tiercache://' }
  /**
   * Set by Keyv 5, whose keys then start with `<namespace>:`; `clear()` removes only those. Declared, not
   * defined: Keyv 6 prefixes and clears namespaces itself when the adapter has no `namespace` of its own.
   */
  declare namespace?: string

  constructor(readonly cache: Cache) {
    super()
  }

  async get(key: string): Promise<unknown> {
    return this.cache.get(key)
  }

  /** `ttl` in milliseconds; undefined or 0 for never. A negative one removes the key (it expired already). */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const seconds = ttlSeconds(ttl)
    if (seconds === 0) await this.cache.delete(key)
    else await this.cache.set(key, value, seconds)
    return true
  }

  async delete(key: string): Promise<boolean> {
    return this.cache.delete(key)
  }

  async has(key: string): Promise<boolean> {
    return this.cache.has(key)
  }

  async getMany(keys: string[]): Promise<unknown[]> {
    return Promise.all(keys.map((key) => this.cache.get(key)))
  }

  /** True when every key was there (Keyv 5's reading of `delete([keys])`). */
  async deleteMany(keys: string[]): Promise<boolean> {
    const removed = await Promise.all(keys.map((key) => this.cache.delete(key)))
    return removed.every(Boolean)
  }

  /** With a namespace (Keyv 5), removes that namespace's keys only; else every key of the cache. */
  async clear(): Promise<void> {
    await this.cache.clear(this.namespace ? namespacePattern(this.namespace) : undefined)
  }

  /** `[key, value]` of every entry (of `namespace`, when given), streamed from `cache.keys()`. */
  async *iterator(namespace?: string): AsyncGenerator<[string, unknown]> {
    const pattern = namespace ? namespacePattern(namespace) : undefined
    for await (const key of this.cache.keys(pattern)) {
      const value = await this.cache.get(key)
      if (value !== undefined) yield [key, value]
    }
  }

  async disconnect(): Promise<void> {
    await this.cache.close()
  }
}

/**
 * Keyv's TTL (ms) as tiercache's (seconds): `Infinity` for none, 0 for one that ended already. Keyv 5 passes
 * `undefined` for "no TTL"; Keyv 6 turns its absolute expiry back into a TTL for adapters like this one.
 */
function ttlSeconds(ttl: number | undefined): number {
  if (ttl === undefined || ttl === null || ttl === 0 || ttl === Infinity) return Infinity
  if (typeof ttl !== 'number' || Number.isNaN(ttl))
    throw new TypeError(`Keyv TTL must be a number of milliseconds (got ${String(ttl)})`)
  return ttl < 0 ? 0 : ttl / 1000
}

/** The keys of a Keyv namespace: `<namespace>:` in front (Keyv 5; Keyv 6's `<namespace>::` too). */
function namespacePattern(namespace: string): KeyPattern {
  const prefix = `${namespace}:`
  // A glob keeps the literal prefix that lets the tiers skip other keys early; a RegExp when it cannot.
  return /[*?]/.test(prefix)
    ? new RegExp(`^${prefix.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}`)
    : `${prefix}*`
}
