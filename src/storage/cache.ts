import type { Duration } from '../core/duration'
import type { StorageError } from '../core/exceptions'
import { checkKey } from '../core/keys'
import { warnOnce } from '../core/warn-once'
import { compilePattern, type KeyPattern } from '../core/pattern'
import { withoutRepeats } from '../core/repeated-failure'
import { BusLink } from './bus-link'
import { checkCacheOptions, startCleanupTimer } from './cache-options'
import type { CacheEvents } from './cache-events'
import { StatsRecorder, summarizeStats } from './cache-stats'
import type {
  CacheOptions,
  CacheStats,
  GetOrSetOptions,
  MemoryCacheView,
  TtlArgument,
} from './cache-types'
import { FlightRegistry } from './flights'
import { Invalidation, type InvalidationListener } from './invalidation'
import { LifetimePolicy } from './lifetimes'
import { LoadHandler } from './load'
import { leaseProviderOf, LeaseCoordinator, leaseSettings } from './lease'
import { isInProcessTier, type Entry, type Tier } from './tier'
import { TierStack } from './tier-stack'
import { WriteTracker } from './write-tracker'

export type * from './cache-types'

/**
 * A tiered cache: reads walk the tiers fastest first and copy a hit into the faster tiers above it; writes go
 * to every tier. This class is the public API and the wiring; the work is done by the modules behind it
 * (see docs/architecture.md): the tier stack, the load handler, the flights, the invalidation path, the
 * lifetime policy and the statistics.
 */
export class Cache {
  readonly #stack: TierStack
  readonly #lifetimes: LifetimePolicy
  readonly #stats: StatsRecorder
  readonly #invalidation: Invalidation
  readonly #loader: LoadHandler
  readonly #onError: (error: StorageError) => void
  readonly #bus: BusLink | undefined
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: CacheOptions = {}) {
    const lifetimes = (this.#lifetimes = new LifetimePolicy(options.ttl, options.memoryTtl))
    const { tiers, clock, onError, cleanupMs } = checkCacheOptions(options)
    // The first failure of an outage is reported, not every call's (src/core/repeated-failure.ts).
    const report = (this.#onError = withoutRepeats(onError ?? warnOnce()))
    const events: CacheEvents = (this.#stats = new StatsRecorder(tiers.length))
    const [writes, flights] = [new WriteTracker(), new FlightRegistry()]
    const stack = (this.#stack = new TierStack(tiers, { clock, lifetimes, writes, events, report }))
    const invalidation = (this.#invalidation = new Invalidation(stack, flights, writes, events))
    const leases = fleetLeases(options, tiers, events, report, (key) => {
      void this.#bus?.after({ key }, 0)
    })
    if (leases) invalidation.listen((target) => leases.wake(target))
    this.#loader = new LoadHandler({
      stack,
      flights,
      invalidation,
      lifetimes,
      onError: report,
      leases,
    })
    const { bus } = options
    this.#bus = bus === undefined ? undefined : new BusLink(bus, invalidation, report)
    this.#timer = startCleanupTimer(cleanupMs, () => void this.cleanup().catch(report))
  }

  /** The value stored under `key`, or undefined (missing or expired). Throws StorageError only when a tier failed and none had the key. */
  get<T = unknown>(key: string): Promise<T | undefined> {
    const hit = this.#stack.peek(key)
    if (hit !== undefined) return Promise.resolve(hit.value as T)
    return this.#stack.lookup(key, 'throw').then((entry) => entry?.value as T | undefined)
  }

  /**
   * The in-process hit path: the entry held by the first tier, synchronously, or undefined. Used by
   * `withCache`, where awaiting a lookup would cost more than the lookup. Counts as a hit or miss.
   */
  peek(key: string): Entry | undefined {
    return this.#stack.peek(key)
  }

  /**
   * Whether an entry that `peek` returned is still current in the first tier; counts a hit when it is. Lets
   * `withCache` keep entries by argument and skip building the key on repeated calls.
   */
  isCurrent(entry: Entry): boolean {
    return this.#stack.isCurrent(entry)
  }

  /** Stores `value` in every tier; resolves once the slowest tier (the disk) has it. */
  async set(key: string, value: unknown, ttl?: TtlArgument): Promise<void> {
    checkKey(key)
    const lifetimes = this.#lifetimes.of(ttl)
    await this.#invalidation.invalidate({ key }, 'none')
    await this.#announce({ key }, this.#stack.write(key, value, lifetimes))
  }

  async has(key: string): Promise<boolean> {
    return (
      this.#stack.peek(key) !== undefined || (await this.#stack.lookup(key, 'throw')) !== undefined
    )
  }

  /** Removes `key` from every tier; true if any tier held it. */
  async delete(key: string): Promise<boolean> {
    checkKey(key)
    return (await this.#announce({ key }, this.#invalidation.invalidate({ key }, 'every tier'))) > 0
  }

  /**
   * Removes every entry whose key matches: a glob with `*` and `?` (`'video_123_*'`), a RegExp, or an exact key.
   * Without a pattern, removes everything. Returns the number of keys removed (as the tier that removed the
   * most counts them: the same key in memory and on disk counts once).
   */
  async clear(pattern?: KeyPattern): Promise<number> {
    const match = pattern === undefined ? undefined : compilePattern(pattern)
    if (match?.exact !== undefined) return (await this.delete(match.exact)) ? 1 : 0
    return this.#announce({ pattern }, this.#invalidation.invalidate({ match }, 'every tier'))
  }

  /** `work` (a write of `change`), then, with a bus, one message telling the fleet (see BusLink). */
  #announce<T>(
    change: { key: string } | { pattern: KeyPattern | undefined },
    work: Promise<T> | T,
  ): Promise<T> {
    return this.#bus ? this.#bus.after(change, work) : Promise.resolve(work)
  }

  /**
   * Removes expired (and unreadable) entries from every tier. Returns how many the slowest tier removed: it
   * holds every entry, while an expired memory copy of an entry still on disk was no entry lost.
   */
  async cleanup(): Promise<number> {
    return (await this.#stack.each('clean up', undefined, (tier) => tier.prune())).at(-1) ?? 0
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
    return this.load(key, compute, typeof options === 'object' ? options : { ttl: options })
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
    const loading = this.#loader.load(key, compute, options)
    return options.fresh && this.#bus ? this.#announce({ key }, loading) : loading
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

  /** Sizes, hits and misses per tier. */
  async stats(): Promise<CacheStats> {
    const none = { entries: 0, bytes: 0, evictions: 0 }
    const perTier = await Promise.all(
      this.#stack.tiers.map(async (tier, i) => {
        const sizes = await this.#stack
          .guard(i, 'read stats of', undefined, () => tier.stats())
          .catch(() => none)
        return this.#stats.report(tier, i, sizes)
      }),
    )
    return { ...summarizeStats(perTier), leases: this.#stats.leases }
  }

  /** The file tier's folder (absolute), or undefined when the cache has no file tier. */
  get cacheDir(): string | undefined {
    return this.#stack.tiers.find((tier) => typeof tier.dir === 'string')?.dir
  }

  /** A read-only view of the in-process tier: its size and keys. Nothing can be written through it. */
  get memoryCache(): MemoryCacheView {
    const memory = this.#stack.tiers.find(isInProcessTier)
    return Object.freeze({
      get size() {
        return memory?.size ?? 0
      },
      keys: () => memory?.keys() ?? [].values(),
      has: (key: string) => memory?.peek(key) !== undefined,
    })
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

/**
 * The lease coordinator of a cache whose tiers offer leases (the last such tier: the widest sharing, Redis
 * over a local file tier), unless `lease: false`. Checked at construction like every option.
 */
function fleetLeases(
  options: CacheOptions,
  tiers: readonly Tier[],
  events: CacheEvents,
  report: (error: StorageError) => void,
  announce: (key: string) => void,
): LeaseCoordinator | undefined {
  const settings = leaseSettings(options)
  const tier = tiers.findLast((t) => leaseProviderOf(t) !== undefined)
  if (settings === undefined || tier === undefined) return undefined
  // The bus wakes waiters of a shared tier (Redis). Processes sharing a folder poll instead: a bus message
  // would make each of them drop the key from that folder, the very entry the holder just stored there.
  const wake = tier.shared ? announce : undefined
  return new LeaseCoordinator(leaseProviderOf(tier)!, settings, events, report, wake)
}
