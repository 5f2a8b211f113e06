import type { FlightRegistry } from './flights'
import type { CacheEvents } from './cache-events'
import type { TierStack } from './tier-stack'
import type { KeyPredicate } from './tier'
import type { WriteTracker } from './write-tracker'

/** What changed: one key, or the keys a predicate accepts (`match` undefined: every key). */
export type InvalidationTarget =
  { readonly key: string } | { readonly match: KeyPredicate | undefined }

/**
 * Which tiers lose the keys: every tier (`delete`, `clear`), the local ones, i.e. every tier not `shared`
 * (a bus telling this process that another one changed them), the in-process ones (a bus that may have lost
 * messages), or none (`set` and `refresh`, which write the tiers next).
 */
export type InvalidationScope = 'every tier' | 'local' | 'in-process' | 'none'

/** Told of every invalidation, before the tiers are touched (`withCache`'s argument index, a bus). */
export type InvalidationListener = (target: InvalidationTarget) => void

/**
 * The one path by which keys change: `set`, `delete`, `clear`, `invalidate` and `refresh` all come here,
 * and so will an invalidation bus. It tells the write tracker (so that reads and computations under way do
 * not store older data over the change), forgets the flights (so that later callers do not join them),
 * tells the listeners, and removes the keys from the tiers in scope.
 */
export class Invalidation {
  readonly #listeners = new Set<InvalidationListener>()
  readonly #stack: TierStack
  readonly #flights: FlightRegistry
  readonly #writes: WriteTracker
  readonly #events: CacheEvents

  constructor(
    stack: TierStack,
    flights: FlightRegistry,
    writes: WriteTracker,
    events: CacheEvents,
  ) {
    this.#stack = stack
    this.#flights = flights
    this.#writes = writes
    this.#events = events
  }

  /** Calls `listener` on every invalidation from now on; returns a function that stops it. */
  listen(listener: InvalidationListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Records the change and removes the keys from the tiers in `scope`. Resolves with how many keys were
   * removed, as the tier that removed the most counts them (a key in memory and on disk counts once).
   */
  async invalidate(target: InvalidationTarget, scope: InvalidationScope): Promise<number> {
    this.note(target)
    if (scope === 'none') return 0
    const removed = await this.#stack.remove(target, scope)
    this.#events.delete('key' in target ? target.key : undefined)
    return Math.max(0, ...removed)
  }

  /**
   * Invalidates every entry carrying one of `tags`: computations of those tags under way will not store,
   * in-process entries of the tags are misses at once, then the tag counters move in the tier that keeps
   * them (`'every tier'`: this process's call), or are learnt from a bus message (`'local'`, with the
   * counters the sender got when it knows them). Resolves to the counters after the change.
   */
  async invalidateTags(
    tags: readonly string[],
    scope: 'every tier' | 'local',
    versions?: readonly number[],
  ): Promise<number[] | undefined> {
    this.#flights.dropTags(tags)
    if (scope === 'local') return void (await this.#stack.tags.receive(tags, versions))
    return this.#stack.tags.invalidate(tags)
  }

  /** The synchronous part of `invalidate`: tracker, flights and listeners; no tier is touched. */
  note(target: InvalidationTarget): void {
    if ('key' in target) this.#writes.noteWrite(target.key)
    else this.#writes.noteClear()
    this.#flights.drop(target)
    for (const listener of this.#listeners) listener(target)
  }
}
