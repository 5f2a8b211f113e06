import { readClock, type Clock } from '../core/clock'
import { describeFailure, isStorageError, StorageError } from '../core/exceptions'
import { settleAll } from '../core/settle-all'
import type { CacheEvents } from './cache-events'
import { ClearBarrier } from './clear-barrier'
import type { FunctionRecord } from './function-stats'
import { endingAt } from './freshness'
import type { LifetimePolicy, Lifetimes } from './lifetimes'
import { writeStamped, type Tagging } from './tag-options'
import { TagVersions } from './tag-versions'
import { lookupBelow, type LookupContext, type OnTierError } from './tier-lookup'
import type { PromotionContext } from './tier-promotion'
import { tierScopes, type Layer, type RemovalScope, type Scope } from './tier-scopes'
import {
  isInProcessTier,
  type Entry,
  type InProcessTier,
  type KeyPredicate,
  type Tier,
} from './tier'
import { hasTagCounters, type TagStamps } from './tier-tags'
import { entryOfWrite, settleWrite } from './tier-write'
import type { WriteTracker } from './write-tracker'

export type { RemovalScope } from './tier-scopes'
export type { Tagging } from './tag-options'
export type { OnTierError } from './tier-lookup'

export interface TierStackOptions {
  clock: Clock
  lifetimes: LifetimePolicy
  writes: WriteTracker
  events: CacheEvents
  /** Receives failures that no caller can be told of (a throwing in-process `peek`). */
  report: (error: StorageError) => void
}

/**
 * The tiers of a cache, fastest first, and every call made to them: the single choke point where a tier
 * failure becomes a StorageError (and an `error` event). Serves the hit path from an in-process first tier,
 * reads the tiers below and copies a hit up with its remaining lifetime, fans writes out, undoes failed ones.
 */
export class TierStack {
  readonly tiers: readonly Tier[]
  /** The first tier when it is in-process: `peek` and `isCurrent` read it. */
  readonly front: InProcessTier | undefined
  /** The tag counters this process knows; the last tier that keeps tag counters holds them. */
  readonly tags: TagVersions
  readonly #inProcess: readonly Layer<InProcessTier>[]
  readonly #scopes: Record<Scope, readonly Layer[]>
  /** Whether some tier stores the encoded text, so a write must compute it. */
  readonly #encodes: boolean
  readonly #options: TierStackOptions
  /** Read on every hit: kept in a field of its own rather than behind `#options`. */
  readonly #events: CacheEvents
  readonly #barrier = new ClearBarrier()
  /** Removals under way: a lookup begun during one may read an entry it has yet to reach. */
  #removals = 0
  /** What `lookupBelow` (tier-lookup.ts) needs of this stack, made once. */
  readonly #lookup: LookupContext

  constructor(tiers: readonly Tier[], options: TierStackOptions) {
    this.tiers = tiers
    this.#options = options
    this.#events = options.events
    const scopes = tierScopes(tiers)
    const layers = scopes.of['every tier']
    this.front = tiers[0] !== undefined && isInProcessTier(tiers[0]) ? tiers[0] : undefined
    this.#inProcess = scopes.inProcess
    this.#scopes = scopes.of
    this.#encodes =
      scopes.of.persistent.length > 0 || this.#inProcess.some((l) => l.tier.needsEncoded)
    const counting = layers.filter((l) => hasTagCounters(l.tier)).at(-1)
    this.tags = new TagVersions(
      counting && hasTagCounters(counting.tier) ? counting.tier : undefined,
      (action, op) => this.guard(counting!.index, action, undefined, op),
    )
    const promotion: PromotionContext = {
      tiers,
      clock: options.clock,
      lifetimes: options.lifetimes,
      barrier: this.#barrier,
      guard: (index, action, key, op) => this.guard(index, action, key, op),
      failure: (index, action, key, err) => this.#failure(index, action, key, err),
    }
    this.#lookup = {
      below: this.front ? layers.slice(1) : layers,
      writes: options.writes,
      events: options.events,
      tags: this.tags,
      promotion,
      report: options.report,
    }
  }

  /** True when a write goes to one in-process tier that stores values as they are: nothing to await. */
  get writesSynchronously(): boolean {
    return this.#scopes.persistent.length === 0 && this.#inProcess.length === 1 && !this.#encodes
  }

  /** The entry the front tier holds for `key`, synchronously; counts a hit or a miss there (for `fn`). */
  peek(key: string, fn?: FunctionRecord): Entry | undefined {
    const front = this.front
    if (front === undefined) return undefined
    let entry: Entry | undefined
    try {
      entry = front.peek(key)
    } catch (err) {
      // A tier's own bug must not turn a promise-returning call into a throw: count it, report it, read on.
      this.#options.report(this.#failure(0, 'read', key, err))
    }
    // A tagged entry is checked against the counters known in-process: a Map lookup per tag, no I/O.
    if (entry === undefined || (entry.tags !== undefined && !this.tags.isCurrent(entry.tags))) {
      this.#events.miss(0, key, fn)
      return undefined
    }
    this.#events.hit(0, key, fn)
    return entry
  }

  /** The front tier's entry for `key` even when stale or due for refresh (until it expires); counts nothing. */
  peekStale(key: string): Entry | undefined {
    try {
      const entry = this.front?.peekStale?.(key)
      // Stale or not, a value whose tag was invalidated is never served.
      return entry?.tags !== undefined && !this.tags.isCurrent(entry.tags) ? undefined : entry
    } catch (err) {
      this.#options.report(this.#failure(0, 'read', key, err)) // as in peek()
      return undefined
    }
  }

  /** Whether an entry `peek` returned is still current in the front tier; counts a hit (for `fn`) when it is. */
  isCurrent(entry: Entry, fn?: FunctionRecord): boolean {
    let current: boolean | undefined
    try {
      current = this.front?.isCurrent(entry)
    } catch (err) {
      this.#options.report(this.#failure(0, 'read', entry.key, err)) // as in peek(): a tier's bug is no throw
    }
    if (current !== true || (entry.tags !== undefined && !this.tags.isCurrent(entry.tags)))
      return false
    this.#events.hit(0, entry.key, fn)
    return true
  }

  /**
   * Reads the tiers below the front one and copies a hit up, unless the key changed meanwhile (see
   * `lookupBelow` in tier-lookup.ts). `again`: a second look for the same call (the lease holder's).
   */
  lookup(
    key: string,
    onError: OnTierError,
    found?: { tier: number },
    again = false,
  ): Promise<Entry | undefined> {
    // A removal under way: its in-process part is done, the rest may not be, so the lookup copies nothing up.
    return lookupBelow(this.#lookup, key, this.#removals > 0, onError, found, again)
  }

  /**
   * Writes `value` to every tier. In-process tiers are written synchronously (`put`), so a memory-only
   * cache stores without an await; the others are started together. Returns undefined when there is
   * nothing to wait for. Throws (or rejects with) the first StorageError, after undoing the write.
   */
  write(
    key: string,
    value: unknown,
    lifetimes: Lifetimes,
    tagging?: Tagging,
  ): Promise<void> | undefined {
    if (tagging === undefined || tagging.tags.length === 0)
      return this.#write(key, value, lifetimes, undefined)
    return writeStamped(key, tagging, this.tags, this.#options.writes, (stamps) =>
      this.#write(key, value, lifetimes, stamps),
    )
  }

  #write(
    key: string,
    value: unknown,
    lifetimes: Lifetimes,
    tags: TagStamps | undefined,
  ): Promise<void> | undefined {
    const { writes } = this.#options
    writes.noteWrite(key)
    const now = readClock(this.#options.clock) // a bad reading stores nothing
    const entry = entryOfWrite(key, value, lifetimes, tags, now, this.#encodes)
    const inProcess: Entry =
      entry.memoryTtlMs !== undefined ? endingAt(entry, now + entry.memoryTtlMs) : entry
    this.#events.set(key)
    let failure: StorageError | undefined
    for (const { tier, index } of this.#inProcess) {
      try {
        tier.put(inProcess)
      } catch (err) {
        failure ??= this.#failure(index, 'write', key, err)
      }
    }
    if (this.#scopes.persistent.length === 0) {
      if (failure) throw failure
      return undefined
    }
    const written = this.#barrier.write(() =>
      this.each('write', key, (tier) => tier.set(entry), 'persistent'),
    )
    // Opened after this write's own noteWrite: it sees only the writes, deletes and clears that follow it.
    return settleWrite(this.tiers, writes, key, written, failure, writes.watch(key))
  }

  /** Removes the in-process entries whose tags were invalidated (persistent tiers do it in `prune`). */
  pruneTagged(): Promise<number[]> {
    return settleAll(
      this.#inProcess.map((l) =>
        this.guard(l.index, 'clean up', undefined, () => this.tags.sweep(l.tier)),
      ),
    )
  }

  /** Runs `op` on each tier in `scope` (see `RemovalScope`) in parallel; throws the first failure. */
  each<R>(
    action: string,
    key: string | undefined,
    op: (tier: Tier) => Promise<R>,
    scope: Scope = 'every tier',
  ): Promise<R[]> {
    return settleAll(
      this.#scopes[scope].map((l) => this.guard(l.index, action, key, () => op(l.tier))),
    )
  }

  /** Removes `key` (or, with `match`, the keys it accepts) from the tiers in `scope`; counts per tier. */
  remove(
    target: { key: string } | { match: KeyPredicate | undefined },
    scope: RemovalScope,
  ): Promise<number[]> {
    this.#removals++
    const removing =
      'key' in target
        ? this.each('delete', target.key, (tier) => tier.delete(target.key).then(Number), scope)
        : this.#clear(target.match, scope)
    return removing.finally(() => this.#removals--)
  }

  /** In-process tiers at once; the others after the writes under way landed (see ClearBarrier). */
  #clear(match: KeyPredicate | undefined, scope: RemovalScope): Promise<number[]> {
    const clear = (tier: Tier) => tier.clear(match)
    const now = this.each('clear', undefined, clear, 'in-process')
    if (scope === 'in-process') return now
    const slower = scope === 'local' ? 'local persistent' : 'persistent'
    const later = this.#barrier.clear(() => this.each('clear', undefined, clear, slower))
    return settleAll([now, later]).then((counts) => counts.flat())
  }

  /** The one choke point for tier calls: anything thrown becomes a StorageError naming the tier and key. */
  guard<R>(
    index: number,
    action: string,
    key: string | undefined,
    op: () => Promise<R>,
  ): Promise<R> {
    let pending: Promise<R>
    try {
      pending = op()
    } catch (err) {
      pending = Promise.reject(err)
    }
    // A plain catch rather than an async wrapper: one promise less per tier call.
    return pending.catch((err: unknown) => {
      throw this.#failure(index, action, key, err)
    })
  }

  /** Counts a tier failure and returns it as a StorageError (kept as it is when it already is one). */
  #failure(index: number, action: string, key: string | undefined, err: unknown): StorageError {
    const { name } = this.tiers[index]!
    const error = isStorageError(err)
      ? err
      : new StorageError(describeFailure(name, action, key, err), { key, tier: name, cause: err })
    // A StorageError made without knowing where (a ClockError from readClock) learns its tier and key here.
    if (error.tier === undefined) Object.assign(error, { tier: name, key: error.key ?? key })
    this.#events.error(index, error)
    return error
  }
}
