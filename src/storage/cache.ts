import type { Duration } from '../core/duration'
import type { StorageError } from '../core/exceptions'
import { checkKey } from '../core/keys'
import type { Clock } from '../core/clock'
import { compilePattern, type KeyPattern } from '../core/pattern'
import type { BusLink } from './bus-link'
import { CacheChanges } from './cache-changes'
import { startCleanupTimer } from './cache-options'
import { wireCache } from './cache-wiring'
import { collectStats, type StatsRecorder } from './cache-stats'
import type { FunctionRecord, FunctionTable } from './function-stats'
import type {
  CacheOptions,
  CacheStats,
  GetOrSetOptions,
  MemoryCacheView,
  TtlArgument,
} from './cache-types'
import { readEntry } from './entry-info'
import type { EntryInfo } from './freshness'
import type { Invalidation, InvalidationListener } from './invalidation'
import { listKeys } from './list-keys'
import { memoryViewOf } from './memory-view'
import type { LoadHandler } from './load'
import type { RefreshPolicy } from './refresh'
import type { Entry, Tier } from './tier'
import type { TierStack } from './tier-stack'

export type * from './cache-types'

/** The options of a getOrSet that gives none: one object, so its freshness policy is looked up once. */
const NO_OPTIONS: GetOrSetOptions<never> = Object.freeze({})

/**
 * A tiered cache: reads walk the tiers fastest first and copy a hit into the faster tiers above it; writes go
 * to every tier. This class is the public API and the wiring; the work is done by the modules behind it
 * (see docs/architecture.md): the tier stack, the load handler, the flights, the invalidation path, the
 * lifetime policy and the statistics.
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache({ cacheDir: 'cache', ttl: '1h', memoryTtl: '5m' })
 * await cache.set('video:abc:analysis', { scenes: 12 })
 * const analysis = await cache.get<{ scenes: number }>('video:abc:analysis') // { scenes: 12 }
 * const title = await cache.getOrSet('video:abc:title', async () => 'A cat video', '30m')
 * await cache.clear('video:abc:*') // every key of video abc, in every tier
 * await cache.close()
 * ```
 */
export class Cache {
  readonly #stack: TierStack
  readonly #stats: StatsRecorder
  readonly #functions: FunctionTable
  readonly #invalidation: Invalidation
  /** set, delete, clear, invalidateTags: the tiers, then the bus (cache-changes.ts). */
  readonly #changes: CacheChanges
  readonly #loader: LoadHandler
  /** Stale-while-revalidate, staleIfError, timeouts, eager refresh: in front of the loader (refresh.ts). */
  readonly #refresh: RefreshPolicy
  readonly #clock: Clock
  readonly #onError: (error: StorageError) => void
  readonly #bus: BusLink | undefined
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: CacheOptions = {}) {
    const parts = wireCache(options, {
      load: this.#loadNow.bind(this),
      leaseStored: (key) => void this.#bus?.after({ key }, 0),
    })
    this.#clock = parts.clock
    const report = (this.#onError = parts.onError)
    this.#stats = parts.stats
    this.#functions = parts.functions
    this.#stack = parts.stack
    this.#invalidation = parts.invalidation
    this.#loader = parts.loader
    this.#refresh = parts.refresh
    this.#bus = parts.bus
    this.#changes = new CacheChanges(parts)
    this.#timer = startCleanupTimer(parts.cleanupMs, () => void this.cleanup().catch(report))
  }

  /**
   * The fresh value stored under `key`, or undefined (missing, expired or stale: see `getEntry`). Throws
   * StorageError only when a tier failed and none had the key.
   */
  get<T = unknown>(key: string): Promise<T | undefined> {
    const hit = this.#stack.peek(key)
    if (hit !== undefined) return Promise.resolve(hit.value as T)
    return this.getEntry<T>(key).then((info) => (info?.stale === false ? info.value : undefined))
  }

  /**
   * The entry under `key`, fresh or stale, with its times and the tier it was read from; undefined when
   * there is none (or it expired). Starts no refresh.
   */
  getEntry<T = unknown>(key: string): Promise<EntryInfo<T> | undefined> {
    try {
      checkKey(key)
      return readEntry<T>(this.#stack, this.#clock, key)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * The in-process hit path: the entry held by the first tier, synchronously, or undefined. Used by
   * `withCache`, where awaiting a lookup would cost more than the lookup. Counts as a hit or miss.
   */
  peek(key: string, fn?: FunctionRecord): Entry | undefined {
    return this.#stack.peek(key, fn)
  }

  /**
   * The first tier's entry for `key` even when stale or due for refresh, until it expires; counts nothing.
   * @internal for `withCache`, which remembers it by argument; not part of the documented API.
   */
  peekStale(key: string): Entry | undefined {
    return this.#stack.peekStale(key)
  }

  /**
   * Serves `entry` (kept from an earlier read, no longer current) as `load` would, without a lookup; else undefined.
   * @internal for `withCache`; not part of the documented API.
   */
  serveKept<T>(
    entry: Entry,
    compute: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
  ): Promise<T> | undefined {
    return this.#refresh.serveKept(entry, compute, options)
  }

  /**
   * Whether an entry that `peek` returned is still current in the first tier; counts a hit when it is. Lets
   * `withCache` keep entries by argument and skip building the key on repeated calls.
   */
  isCurrent(entry: Entry, fn?: FunctionRecord): boolean {
    return this.#stack.isCurrent(entry, fn)
  }

  /**
   * The statistics record of cached function `id` (`namespace:name:v<version>`), shared by its wrappers;
   * `prefix`: its default keys' prefix, so events about such a key name it.
   * @internal for `withCache`; not part of the documented API.
   */
  functionRecord(id: string, prefix?: string): FunctionRecord {
    return this.#functions.record(id, prefix)
  }

  /**
   * Stores `value` in every tier; resolves once the slowest tier (the disk) has it. With `tags`, the value is
   * not stored when one of them is invalidated while the call runs.
   */
  set(key: string, value: unknown, ttl?: TtlArgument): Promise<void> {
    return this.#changes.set(key, value, ttl)
  }

  /**
   * Invalidates every entry stored with one of `tags`, from now on: in every tier, in every process that
   * shares the tier that keeps the tag counters (the file tier's folder, Redis), and through the bus in every
   * process of the fleet. A computation under way that carries one of the tags does not store its result;
   * an entry written after this call is valid. See docs/tags.md.
   */
  invalidateTags(tags: string | readonly string[]): Promise<void> {
    return this.#changes.invalidateTags(tags)
  }

  /** Whether a fresh value is stored under `key`. */
  async has(key: string): Promise<boolean> {
    return this.#stack.peek(key) !== undefined || (await this.getEntry(key))?.stale === false
  }

  /** Removes `key` from every tier; true if any tier held it. */
  delete(key: string): Promise<boolean> {
    return this.#changes.delete(key)
  }

  /**
   * Removes every entry whose key matches: a glob with `*` and `?` (`'video_123_*'`), a RegExp, or an exact key.
   * Without a pattern, removes everything. Returns the number of keys removed (as the tier that removed the
   * most counts them: the same key in memory and on disk counts once).
   */
  async clear(pattern?: KeyPattern): Promise<number> {
    const match = pattern === undefined ? undefined : compilePattern(pattern)
    if (match?.exact !== undefined) return (await this.delete(match.exact)) ? 1 : 0
    return this.#changes.clear(match, pattern)
  }

  /**
   * Every key any tier holds, each once, expired entries left out; with a pattern (as `clear` takes it), only
   * the keys it matches. Streamed (`for await`): no full list is built; src/storage/list-keys.ts says what
   * "each once" costs. Every tier must list its keys (the built-in ones do), else a CacheError.
   */
  keys(pattern?: KeyPattern): AsyncGenerator<string> {
    return listKeys(this.#stack, pattern === undefined ? undefined : compilePattern(pattern))
  }

  /**
   * Removes expired (and unreadable) entries from every tier. Returns how many the slowest tier removed: it
   * holds every entry, while an expired memory copy of an entry still on disk was no entry lost.
   */
  async cleanup(): Promise<number> {
    const removed = await this.#stack.each('clean up', undefined, (tier) => tier.prune())
    await this.#stack.pruneTagged() // in-process entries invalidated by tag (the file tier's prune does its own)
    return removed.at(-1) ?? 0
  }

  /**
   * The cached value, or `compute()`'s result stored under `key`. Concurrent calls for one key compute once
   * and share the result, or the rejection (which is never stored). Cache failures go to `onError`; the caller
   * still gets the value.
   */
  getOrSet<T>(
    key: string,
    compute: () => T | Promise<T>,
    options?: Duration | GetOrSetOptions<T>,
  ): Promise<T> {
    const hit = this.#stack.peek(key)
    if (hit !== undefined) return Promise.resolve(hit.value as T)
    const loadOptions =
      typeof options === 'object'
        ? options
        : options === undefined
          ? (NO_OPTIONS as GetOrSetOptions<T>)
          : { ttl: options }
    return this.load(key, compute, loadOptions)
  }

  /**
   * `getOrSet` past the in-process check: joins a computation under way for `key`, or looks in the slower
   * tiers, or computes and stores. For wrappers that ran their own `peek` already.
   */
  load<T>(
    key: string,
    compute: () => T | Promise<T>,
    options: GetOrSetOptions<T> = {},
  ): Promise<T> {
    return this.#refresh.load(key, compute, options)
  }

  /** The load past the freshness policy: join, look below, compute, store; a refresh tells the bus. */
  #loadNow<T>(key: string, compute: () => T | Promise<T>, options: GetOrSetOptions<T>): Promise<T> {
    const loading = this.#loader.load(key, compute, options)
    return options.fresh && this.#bus ? this.#changes.announce({ key }, loading) : loading
  }

  /**
   * Calls `listener` whenever keys change (set, delete, clear, refresh), before the tiers are touched, so
   * that what a wrapper remembers of them can go too. Returns a function that stops it.
   * @internal for `withCache` and an invalidation bus; not part of the documented API.
   */
  onInvalidate(listener: InvalidationListener): () => void {
    return this.#invalidation.listen(listener)
  }

  /** Hands a storage failure that a caller recovered from to this cache's `onError` (wrappers use it). */
  reportError(error: StorageError): void {
    this.#onError(error)
  }

  /** Sizes, hits and misses per tier, and per cached function (`functions`). */
  stats(): Promise<CacheStats> {
    return collectStats(this.#stack, this.#stats, this.#functions)
  }

  /** The file tier's folder (absolute), or undefined when the cache has no file tier. */
  get cacheDir(): string | undefined {
    return this.#stack.tiers.find((tier) => typeof tier.dir === 'string')?.dir
  }

  /** A read-only view of the in-process tier: its size and keys. Nothing can be written through it. */
  get memoryCache(): MemoryCacheView {
    return memoryViewOf(this.#stack.tiers)
  }

  /** The tiers, fastest first (a copy). */
  get tiers(): readonly Tier[] {
    return [...this.#stack.tiers]
  }

  /** Stops the cleanup timer, closes the tiers and the bus. Idempotent, never rejects; the process can exit afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    // Every tier gets closed even when one fails; failures go to onError rather than stop the shutdown.
    await Promise.all([
      ...this.#stack.tiers.map((tier, i) =>
        this.#stack.guard(i, 'close', undefined, () => tier.close()).catch(this.#onError),
      ),
      this.#bus?.close().catch(() => {}), // a bus never rejects its close; a faulty one must not stop ours
    ])
  }
}
