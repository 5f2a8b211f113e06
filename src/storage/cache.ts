import { readClock, systemClock, type Clock } from '../core/clock'
import { encodeParts } from '../core/codec'
import { toMs, type Duration } from '../core/duration'
import {
  describeFailure,
  InvalidKeyError,
  isStorageError,
  SerializationError,
  StorageError,
} from '../core/exceptions'
import { compilePattern, type KeyPattern } from '../core/pattern'
import type {
  CacheOptions,
  CacheStats,
  GetOrSetOptions,
  MemoryCacheView,
  TtlArgument,
} from './cache-types'
import type { Entry, Tier } from './tier'
import { WriteTracker, type WriteWatch } from './write-tracker'
import { LifetimePolicy, type Lifetimes } from './lifetimes'
import { summarizeStats } from './cache-stats'
import { FileTier } from './tiers/file'
import { MemoryTier } from './tiers/memory'
import { isFileTier, isMemoryTier } from './tiers/tier-brands'

export type {
  CacheOptions,
  CacheStats,
  GetOrSetOptions,
  MemoryCacheView,
  SetOptions,
  TtlArgument,
} from './cache-types'

/** One computation under way; `settled` tells `load` when it finished before it could be registered. */
interface Flight {
  promise: Promise<unknown> | undefined
  settled: boolean
}

const DEFAULT_CLEANUP_MS = 3_600_000

/**
 * A tiered cache: reads walk the tiers fastest first and copy a hit into the faster tiers above it; writes go
 * to every tier. All policy lives here (promotion, lifetimes, stats, error handling); tiers only store.
 */
export class Cache {
  readonly #tiers: Tier[]
  /** The first tier when it reads synchronously (the hit path), else undefined. */
  readonly #peekable: (Tier & Required<Pick<Tier, 'peek'>>) | undefined
  /** Index of the first tier that `#peekFirst` does not cover. */
  readonly #slowest: number
  /**
   * True when that first tier is the only one and is a MemoryTier that stores values as they are (no byte
   * bound, so nothing to encode): a miss has nothing to await, and storing cannot fail (see #computeInProcess).
   */
  readonly #inProcessOnly: boolean
  readonly #clock: Clock
  readonly #lifetimes: LifetimePolicy
  readonly #needsEncoded: boolean
  readonly #hits: number[]
  readonly #misses: number[]
  readonly #errors: number[]
  /** Single-flight: the computation under way per key. Callers for the same key join it; it is removed when it settles. */
  readonly #flights = new Map<string, Promise<unknown>>()
  readonly #writes = new WriteTracker()
  readonly #onError: (error: StorageError) => void
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: CacheOptions = {}) {
    const {
      cacheDir = 'cache',
      ttl,
      memoryTtl,
      tiers,
      cleanupInterval = DEFAULT_CLEANUP_MS / 1000,
      onError,
      clock = systemClock,
    } = options
    this.#clock = clock
    this.#lifetimes = new LifetimePolicy(ttl, memoryTtl)
    if (tiers !== undefined && (!Array.isArray(tiers) || tiers.length === 0))
      throw new TypeError('tiers option must be a non-empty array of tiers')
    if (typeof cacheDir !== 'string' || cacheDir === '')
      throw new TypeError('cacheDir option must be a non-empty path')
    this.#tiers = tiers ?? [new MemoryTier({ clock }), new FileTier({ dir: cacheDir, clock })]
    const first = this.#tiers[0]!
    this.#peekable = first.peek ? (first as Tier & Required<Pick<Tier, 'peek'>>) : undefined
    this.#slowest = this.#peekable ? 1 : 0
    this.#inProcessOnly = this.#tiers.length === 1 && isMemoryTier(first) && !first.needsEncoded
    this.#needsEncoded = this.#tiers.some((tier) => tier.needsEncoded)
    this.#hits = this.#tiers.map(() => 0)
    this.#misses = this.#tiers.map(() => 0)
    this.#errors = this.#tiers.map(() => 0)
    this.#onError = onError ?? warnOnce()
    if (cleanupInterval !== false) {
      this.#timer = setInterval(
        () => void this.#backgroundCleanup(),
        toMs(cleanupInterval, 'cleanupInterval'),
      )
      this.#timer.unref()
    }
  }

  /** The value stored under `key`, or undefined (missing or expired). Throws StorageError only when a tier failed and none had the key. */
  get<T = unknown>(key: string): Promise<T | undefined> {
    const hit = this.#peekFirst(key)
    if (hit !== undefined) return Promise.resolve(hit.value as T)
    return this.#lookup(key, 'throw').then((entry) => entry?.value as T | undefined)
  }

  /**
   * The in-process hit path: the entry held by the first tier, synchronously, or undefined. Used by
   * `withCache`, where awaiting a lookup would cost more than the lookup. Counts as a hit or miss.
   */
  peek(key: string): Entry | undefined {
    return this.#peekFirst(key)
  }

  /**
   * Whether an entry that `peek` returned is still current in the first tier; counts a hit when it is. Lets
   * `withCache` keep entries by argument and skip building the key on repeated calls.
   */
  isCurrent(entry: Entry): boolean {
    if (this.#peekable?.isCurrent?.(entry) !== true) return false
    this.#hits[0]!++
    return true
  }

  /** Stores `value` in every tier; resolves once the slowest tier (the disk) has it. */
  async set(key: string, value: unknown, ttl?: TtlArgument): Promise<void> {
    checkKey(key)
    const { ttlMs, memoryTtlMs } = this.#lifetimes.of(ttl)
    await this.#store(key, value, ttlMs, memoryTtlMs)
  }

  async has(key: string): Promise<boolean> {
    return this.#peekFirst(key) !== undefined || (await this.#lookup(key, 'throw')) !== undefined
  }

  /** Removes `key` from every tier; true if any tier held it. */
  async delete(key: string): Promise<boolean> {
    checkKey(key)
    this.#writes.noteWrite(key)
    this.#flights.delete(key) // later callers must not join a computation that began before the delete
    const removed = await this.#everyTier('delete', key, (tier) => tier.delete(key))
    return removed.some(Boolean)
  }

  /**
   * Removes every entry whose key matches: a glob with `*` and `?` (`'video_123_*'`), a RegExp, or an exact key.
   * Without a pattern, removes everything. Returns the number of keys removed (as the tier that removed the
   * most counts them: the same key in memory and on disk counts once).
   */
  async clear(pattern?: KeyPattern): Promise<number> {
    const match = pattern === undefined ? undefined : compilePattern(pattern)
    if (match?.exact !== undefined) return (await this.delete(match.exact)) ? 1 : 0
    this.#writes.noteClear()
    for (const key of [...this.#flights.keys()]) if (!match || match(key)) this.#flights.delete(key)
    return Math.max(0, ...(await this.#everyTier('clear', undefined, (tier) => tier.clear(match))))
  }

  /**
   * Removes expired (and unreadable) entries from every tier. Returns how many the slowest tier removed: it
   * holds every entry, while an expired memory copy of an entry still on disk was no entry lost.
   */
  async cleanup(): Promise<number> {
    return (await this.#everyTier('clean up', undefined, (tier) => tier.prune())).at(-1) ?? 0
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
    const hit = this.#peekFirst(key)
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
    const running = this.#flights.get(key)
    // A refresh never joins: the computation under way may be a plain read of what it must replace.
    if (running && !options.fresh) return running as Promise<T>
    if (!isValidKey(key)) return Promise.reject(invalidKey(key))
    const badOption = this.#lifetimes.checkFixed(options)
    if (badOption) return Promise.reject(badOption)
    // A refresh supersedes the computations under way for the key: their older results must not be stored over its.
    if (options.fresh) this.#writes.noteWrite(key)
    const flight: Flight = { promise: undefined, settled: false }
    const promise =
      this.#inProcessOnly && options.shouldCache === undefined && typeof options.ttl !== 'function'
        ? this.#computeInProcess(key, compute, options, flight)
        : this.#loadUncached(key, compute, options, flight)
    // Registered after the call (no extra tick), unless the work already finished synchronously (a throw).
    if (!flight.settled) this.#flights.set(key, (flight.promise = promise))
    return promise
  }

  /** Hands a storage failure that a caller recovered from to this cache's `onError` (wrappers use it). */
  reportError(error: StorageError): void {
    this.#onError(error)
  }

  /** Sizes, hits and misses per tier. */
  async stats(): Promise<CacheStats> {
    const perTier = await Promise.all(
      this.#tiers.map(async (tier, i) => {
        const s = await this.#guard(tier, 'read stats of', undefined, () => tier.stats()).catch(
          () => ({ entries: 0, bytes: 0, evictions: 0 }),
        )
        return {
          name: tier.name,
          ...s,
          hits: this.#hits[i]!,
          misses: this.#misses[i]!,
          errors: this.#errors[i]!,
        }
      }),
    )
    return summarizeStats(perTier)
  }

  /** The file tier's folder (absolute), or undefined when the cache has no file tier. */
  get cacheDir(): string | undefined {
    return this.#tiers.find(isFileTier)?.dir
  }

  /** A read-only view of the in-process tier: its size and keys. Nothing can be written through it. */
  get memoryCache(): MemoryCacheView {
    const memory = this.#tiers.find(isMemoryTier)
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
    return [...this.#tiers]
  }

  /** Stops the cleanup timer and closes the tiers. Idempotent, never rejects; the process can exit afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    // Every tier gets closed even when one fails; failures go to onError rather than stop the shutdown.
    await Promise.all(
      this.#tiers.map((tier) =>
        this.#guard(tier, 'close', undefined, () => tier.close()).catch((err: StorageError) =>
          this.#onError(err),
        ),
      ),
    )
  }

  // --- Internal helpers ---

  #peekFirst(key: string): Entry | undefined {
    if (this.#peekable === undefined) return undefined
    let entry: Entry | undefined
    try {
      entry = this.#peekable.peek(key)
    } catch (err) {
      // A tier's own bug must not turn a promise-returning call into a throw: count it, report it, read on.
      this.#onError(this.#failure(this.#peekable, 'read', key, err))
      entry = undefined
    }
    if (entry === undefined) {
      this.#misses[0]!++
      return undefined
    }
    this.#hits[0]!++
    return entry
  }

  /**
   * Walks the tiers that `#peekFirst` does not cover (callers peek first) and copies a hit into
   * the tiers above it. A failing tier counts as a miss; its error is thrown at the end (if nothing was found)
   * or handed to `onError`.
   */
  async #lookup(
    key: string,
    onError: 'throw' | ((error: StorageError) => void),
  ): Promise<Entry | undefined> {
    checkKey(key)
    const watch = this.#writes.watch(key)
    try {
      return await this.#lookupWatched(key, onError, watch)
    } finally {
      this.#writes.unwatch(watch)
    }
  }

  async #lookupWatched(
    key: string,
    onError: 'throw' | ((error: StorageError) => void),
    watch: WriteWatch,
  ): Promise<Entry | undefined> {
    let failure: StorageError | undefined
    for (let i = this.#slowest; i < this.#tiers.length; i++) {
      const tier = this.#tiers[i]!
      let entry: Entry | undefined
      try {
        entry = await this.#guard(tier, 'read', key, () => tier.get(key))
      } catch (err) {
        if (onError === 'throw') failure ??= err as StorageError
        else onError(err as StorageError)
        continue
      }
      if (entry === undefined) {
        this.#misses[i]!++
        continue
      }
      this.#hits[i]!++
      // A write or delete of the key during the read wins: the older entry is returned, not promoted.
      if (!this.#writes.changedSince(watch))
        await this.#promote(entry, i, onError === 'throw' ? this.#onError : onError)
      return entry
    }
    if (failure) throw failure
    return undefined
  }

  /** Copies an entry found in tier `found` into the faster tiers, keeping its remaining lifetime. */
  async #promote(
    entry: Entry,
    found: number,
    onError: (error: StorageError) => void,
  ): Promise<void> {
    if (found === 0) return // nothing above it: no copy, no clock to read
    let now: number
    try {
      now = readClock(this.#clock)
    } catch (err) {
      return onError(err as StorageError) // the entry is still returned; only its copy is not made
    }
    for (let i = 0; i < found; i++) {
      const tier = this.#tiers[i]!
      // The entry's own memoryTtl (from its set) wins over the cache-wide default.
      const memoryTtlMs = entry.memoryTtlMs ?? this.#lifetimes.memoryTtlMs
      const expiresAt = tier.peek ? Math.min(entry.expiresAt, now + memoryTtlMs) : entry.expiresAt
      const promoted = expiresAt === entry.expiresAt ? entry : { ...entry, expiresAt }
      await this.#guard(tier, 'promote', entry.key, () => tier.set(promoted)).catch(onError)
    }
  }

  /** Looks below the first tier, or computes and stores; always frees the key's flight slot when done. */
  async #loadUncached<T>(
    key: string,
    compute: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
    flight: Flight,
  ): Promise<T> {
    const watch = this.#writes.watch(key)
    try {
      const onError = options.onError ?? this.#onError
      // A memory-only cache has nothing below the peek its callers made: no lookup, no await.
      if (!options.fresh && this.#slowest < this.#tiers.length) {
        const found = await this.#lookup(key, onError)
        if (found !== undefined) return found.value as T
      }
      const value = await compute()
      const lifetimes = this.#lifetimes.ofComputed(key, value, options, onError)
      // Written, deleted or cleared meanwhile: the result may rest on older data, so callers get it but it is not stored.
      if (lifetimes !== undefined && !this.#writes.changedSince(watch)) {
        try {
          const written = this.#store(key, value, lifetimes.ttlMs, lifetimes.memoryTtlMs)
          if (written) await written
        } catch (err) {
          if (!isStorageError(err)) throw err
          onError(err)
        }
      }
      return value
    } finally {
      this.#settle(key, watch, flight)
    }
  }

  /**
   * `#loadUncached` for a cache whose only tier is the in-process one that callers peeked (nothing to look up
   * below it, nothing to wait for when storing), when the lifetimes do not depend on the value. Callers get the
   * computation's own promise, and the value is stored by a reaction to it, registered before any caller's:
   * callers resume one tick after the computation settles, as with a plain Map of promises, instead of two
   * (no async function between them and it).
   * (That reaction also counts as a handler of a rejection: Node will not report one the caller ignores.)
   * Only for a MemoryTier that encodes nothing, whose put cannot fail: a failure here could reach no caller
   * (they hold the computation's promise), so a throwing `onError` would be left as an unhandled rejection.
   * Caches whose store can fail take `#loadUncached`, where such an error rejects the caller.
   */
  #computeInProcess<T>(
    key: string,
    compute: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
    flight: Flight,
  ): Promise<T> {
    const watch = this.#writes.watch(key)
    const settle = () => this.#settle(key, watch, flight)
    let lifetimes: Lifetimes | undefined
    let promise: Promise<T>
    try {
      lifetimes = this.#lifetimes.ofComputed(key, undefined as T, options, this.#onError) // no functions of the value here (see load): cannot fail
      promise = Promise.resolve(compute()) // the same promise when compute returns a native one
    } catch (err) {
      settle()
      return Promise.reject(err)
    }
    // Not awaited and never rejects: each branch settles, and the store below cannot fail (see above).
    void promise.then((value) => {
      // Written, deleted or cleared meanwhile: the result may rest on older data, so it is not stored.
      const keep =
        lifetimes !== undefined && !this.#writes.changedSince(watch) ? lifetimes : undefined
      settle() // first: the store below is synchronous, and the tracker need not remember our own write
      // Nothing to wait for (in-process tier only); an unbounded MemoryTier's put fails only on a bad clock reading.
      if (keep)
        storeOrReport(
          () => this.#store(key, value, keep.ttlMs, keep.memoryTtlMs),
          options.onError ?? this.#onError,
        )
    }, settle)
    return promise
  }

  /** Ends a computation: closes its watch and frees its flight slot (unless a later one took it). */
  #settle(key: string, watch: WriteWatch, flight: Flight): void {
    this.#writes.unwatch(watch)
    flight.settled = true
    if (this.#flights.get(key) === flight.promise) this.#flights.delete(key)
  }

  /**
   * Writes `value` to every tier. In-process tiers (`put`) are written synchronously, so a memory-only cache
   * stores without a single await; the others are started together and awaited. Returns undefined when
   * there was nothing to wait for. Throws (or rejects with) the first StorageError.
   */
  #store(
    key: string,
    value: unknown,
    ttlMs: number,
    memoryTtlMs: number,
  ): Promise<void> | undefined {
    this.#writes.noteWrite(key)
    const now = readClock(this.#clock) // a bad reading stores nothing
    const parts = this.#needsEncoded ? this.#encode(key, value) : undefined
    const shortLived = memoryTtlMs < ttlMs
    // Every entry gets the same fields (absent ones undefined): one object shape, so the tiers' property
    // reads stay monomorphic. Spreading optional fields in made each combination a shape of its own.
    const entry: Entry = {
      key,
      value,
      encoded: parts?.text,
      attachments: parts?.attachments.length ? parts.attachments : undefined,
      expiresAt: now + ttlMs,
      memoryTtlMs: shortLived ? memoryTtlMs : undefined,
    }
    const inProcess: Entry = shortLived ? { ...entry, expiresAt: now + memoryTtlMs } : entry
    let pending: Promise<void>[] | undefined
    let failure: StorageError | undefined
    for (const tier of this.#tiers) {
      if (tier.put) {
        try {
          tier.put(inProcess)
        } catch (err) {
          failure ??= this.#failure(tier, 'write', key, err)
        }
      } else {
        ;(pending ??= []).push(
          this.#guard(tier, 'write', key, () => tier.set(tier.peek ? inProcess : entry)),
        )
      }
    }
    if (pending === undefined) {
      if (failure) throw failure
      return undefined
    }
    // Opened after this write's own noteWrite: it sees only the writes, deletes and clears that follow it.
    return this.#settleWrites(key, pending, failure, this.#writes.watch(key))
  }

  async #settleWrites(
    key: string,
    pending: Promise<void>[],
    earlier: StorageError | undefined,
    watch: WriteWatch,
  ): Promise<void> {
    try {
      const results = await Promise.allSettled(pending)
      const failure =
        earlier ??
        (results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as
          StorageError | undefined)
      if (failure === undefined) return
      // A failed write leaves no trace of the key: the failing tier may still hold an older value, and the
      // tiers that succeeded must not hold a copy that outlives what the slower tier lost (best effort).
      // Unless the key was written, deleted or cleared since: that later call owns it now (and cleans up
      // after itself if it fails too); removing the key would lose a value its caller was told is stored.
      if (!this.#writes.changedSince(watch))
        await Promise.all(this.#tiers.map((tier) => tier.delete(key).catch(() => false)))
      throw failure
    } finally {
      this.#writes.unwatch(watch)
    }
  }

  #encode(key: string, value: unknown): { text: string; attachments: Uint8Array[] } {
    try {
      return encodeParts(value)
    } catch (err) {
      const message = `[tiercache] cannot store ${JSON.stringify(shorten(key))}: ${(err as Error).message.replace(/^\[tiercache\] /, '')}`
      throw new SerializationError(message, { key, cause: err })
    }
  }

  /** Runs `op` on every tier in parallel; failures become StorageErrors, and the first one is thrown. */
  async #everyTier<R>(
    action: string,
    key: string | undefined,
    op: (tier: Tier) => Promise<R>,
  ): Promise<R[]> {
    const results = await Promise.allSettled(
      this.#tiers.map((tier) => this.#guard(tier, action, key, () => op(tier))),
    )
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
    return results.map((r) => (r as PromiseFulfilledResult<R>).value)
  }

  /** The one choke point for tier calls: anything thrown becomes a StorageError naming the tier and key. */
  #guard<R>(tier: Tier, action: string, key: string | undefined, op: () => Promise<R>): Promise<R> {
    let pending: Promise<R>
    try {
      pending = op()
    } catch (err) {
      pending = Promise.reject(err)
    }
    // A plain catch rather than an async wrapper: one promise less per tier call.
    return pending.catch((err: unknown) => {
      throw this.#failure(tier, action, key, err)
    })
  }

  /** Counts a tier failure and returns it as a StorageError (kept as it is when it already is one). */
  #failure(tier: Tier, action: string, key: string | undefined, err: unknown): StorageError {
    this.#errors[this.#tiers.indexOf(tier)]!++
    if (isStorageError(err)) return err
    return new StorageError(describeFailure(tier.name, action, key, err), {
      key,
      tier: tier.name,
      cause: err,
    })
  }

  async #backgroundCleanup(): Promise<void> {
    try {
      await this.cleanup()
    } catch (err) {
      this.#onError(err as StorageError)
    }
  }
}

/**
 * The in-process store: it can fail only on a bad clock reading (see readClock). Its callers hold the
 * computation's own promise, so the error can go nowhere but `onError`, and a throwing `onError` nowhere at all.
 */
function storeOrReport(store: () => unknown, onError: (error: StorageError) => void): void {
  try {
    store()
  } catch (err) {
    try {
      onError(err as StorageError)
    } catch {
      // nowhere left to report it: rethrowing here would be an unhandled rejection
    }
  }
}

function checkKey(key: unknown): asserts key is string {
  if (!isValidKey(key)) throw invalidKey(key)
}

function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && key !== ''
}

function invalidKey(key: unknown): InvalidKeyError {
  return new InvalidKeyError(
    `[tiercache] a key must be a non-empty string (got ${key === '' ? 'an empty string' : typeof key})`,
  )
}

function shorten(key: string): string {
  return key.length > 80 ? `${key.slice(0, 77)}...` : key
}

/** The default `onError`: one warning per cache, so a full disk does not flood the log. */
function warnOnce(): (error: StorageError) => void {
  let warned = false
  return (error) => {
    if (warned) return
    warned = true
    // eslint-disable-next-line no-console -- the default onError: one warning per cache is its whole job
    console.warn(`${error.message} (further cache errors are not logged; pass onError to see them)`)
  }
}
