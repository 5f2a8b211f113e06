import { performance } from 'node:perf_hooks'
import { readClock, type Clock } from '../core/clock'
import { isStorageError, type StorageError } from '../core/exceptions'
import { withoutRepeats } from '../core/repeated-failure'
import { invalidKey, isValidKey } from '../core/keys'
import type { CacheEvents } from './cache-events'
import type { GetOrSetOptions } from './cache-types'
import type { Flight, FlightRegistry } from './flights'
import { isFresh } from './freshness'
import type { Invalidation } from './invalidation'
import type { LeaseCoordinator, LeaseOutcome } from './lease'
import type { LifetimePolicy, Lifetimes } from './lifetimes'
import { checkTags, taggingOf } from './tag-options'
import type { Tagging, TierStack } from './tier-stack'

/** How a flight computes and stores: picked once per cache, at construction. */
interface LoadStrategy {
  run<T>(flight: Flight, compute: () => T | Promise<T>, options: GetOrSetOptions<T>): Promise<T>
}

export interface LoadDeps {
  stack: TierStack
  flights: FlightRegistry
  invalidation: Invalidation
  lifetimes: LifetimePolicy
  /** Told of joins and around each computation (statistics, diagnostics channels). */
  events: CacheEvents
  /** Judges whether an entry found below is fresh (a stale one is recomputed; refresh.ts serves it). */
  clock: Clock
  /** The cache's `onError`. */
  onError: (error: StorageError) => void
  /** Fleet leases, when a tier offers them and the cache did not turn them off. */
  leases?: LeaseCoordinator
}

/**
 * What happens past the in-process check of `getOrSet` and `withCache`, on one path:
 * join a flight → look in the tiers below → take the fleet lease and look again (or wait) → compute →
 * store, unless the key changed meanwhile. Concurrent callers for a key share one computation and its
 * rejection, which is never stored.
 */
export class LoadHandler {
  readonly #deps: LoadDeps
  readonly #strategy: LoadStrategy

  constructor(deps: LoadDeps) {
    this.#deps = deps
    const stacked = new StackedLoad(deps)
    this.#strategy = deps.stack.writesSynchronously ? new InProcessLoad(deps, stacked) : stacked
  }

  load<T>(key: string, compute: () => T | Promise<T>, options: GetOrSetOptions<T>): Promise<T> {
    const { flights } = this.#deps
    const running = flights.running(key)
    // A refresh never joins: the computation under way may be a plain read of what it must replace.
    if (running && !options.fresh) {
      this.#deps.events.joined(key, options.owner)
      return running as Promise<T>
    }
    if (!isValidKey(key)) return Promise.reject(invalidKey(key))
    // A fixed ttl that is no duration is the caller's mistake: it fails the call before compute runs.
    const badOption = this.#deps.lifetimes.checkFixed(options)
    if (badOption) return Promise.reject(badOption)
    const { tags } = options
    if (tags !== undefined && typeof tags !== 'function') {
      try {
        checkTags(tags)
      } catch (err) {
        return Promise.reject(err)
      }
    }
    // A refresh supersedes the computations under way: their older results must not be stored over its.
    if (options.fresh) this.#deps.invalidation.note({ key })
    const flight = flights.open(key, options.owner)
    if (tags !== undefined) flight.tags = typeof tags === 'function' ? 'result' : tags
    const observed = () => this.#deps.events.compute(key, options.owner, !!options.fresh, compute)
    // Joinable once the strategy returns its promise (no extra tick); a synchronous throw settled it already.
    return flights.register(flight, this.#strategy.run(flight, observed, options))
  }
}

/** The general strategy: awaits the lookup, the computation and the store; store failures go to onError. */
class StackedLoad implements LoadStrategy {
  readonly #deps: LoadDeps

  constructor(deps: LoadDeps) {
    this.#deps = deps
  }

  async run<T>(
    flight: Flight,
    compute: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
  ): Promise<T> {
    const { stack, flights, lifetimes } = this.#deps
    const since = stack.tags.sequence // a tag invalidated after this: the result is not stored
    let lease: LeaseOutcome | undefined
    try {
      const onError = options.onError ? withoutRepeats(options.onError) : this.#deps.onError
      if (!options.fresh) {
        const found = await stack.lookup(flight.key, onError)
        if (found !== undefined && isFresh(found, readClock(this.#deps.clock)))
          return found.value as T
        // Fleet lease (lease.ts): hold the key's lease and look again, or wait for the holder's value.
        const lookAgain = () => stack.lookup(flight.key, onError, undefined, true)
        lease = await this.#deps.leases?.forCall(flight.key, options, lookAgain, onError)
        if (lease?.found !== undefined && isFresh(lease.found, readClock(this.#deps.clock)))
          return lease.found.value as T
      }
      const value = await timed(flight, compute, this.#deps.events)
      const keep = lifetimes.ofComputed(flight.key, value, options, onError)
      // Written, deleted or cleared meanwhile: the result may rest on older data; callers get it, unstored.
      const tagging =
        keep === undefined ? null : taggingOf(flight.key, value, options.tags, since, onError)
      if (keep !== undefined && tagging !== null && !flights.changed(flight)) {
        try {
          await stack.write(flight.key, value, keep, tagging)
        } catch (err) {
          if (!isStorageError(err)) throw err
          onError(err)
        }
      }
      return value
    } finally {
      flights.settle(flight)
      await lease?.holding?.end() // after the store: a waiter never finds the lease gone and the value not there
    }
  }
}

/**
 * The strategy for a cache whose only tier is in-process and stores values as they are: nothing below to
 * look up, nothing to await when storing. Callers get the computation's own promise, and the value is
 * stored by a reaction registered before any caller's: callers resume one tick after the computation
 * settles, as with a plain Map of promises. (That reaction also handles a rejection the caller ignores.)
 * Lifetimes that depend on the value go the general way: a throwing `ttl` or `shouldCache` must reach
 * the caller, which a reaction could not do.
 */
class InProcessLoad implements LoadStrategy {
  readonly #deps: LoadDeps
  readonly #general: LoadStrategy

  constructor(deps: LoadDeps, general: LoadStrategy) {
    this.#deps = deps
    this.#general = general
  }

  run<T>(flight: Flight, compute: () => T | Promise<T>, options: GetOrSetOptions<T>): Promise<T> {
    const { tags } = options
    if (
      options.shouldCache !== undefined ||
      typeof options.ttl === 'function' ||
      typeof tags === 'function'
    )
      return this.#general.run(flight, compute, options)
    const tagging = tags?.length ? { tags, since: this.#deps.stack.tags.sequence } : undefined
    const { flights, lifetimes, events } = this.#deps
    const { owner } = flight
    let promise: Promise<T>
    let keep: Lifetimes | undefined
    const started = owner && performance.now()
    try {
      // No function of the value here (see above), so nothing that could fail and need onError.
      keep = lifetimes.ofComputed(flight.key, undefined as T, options, this.#deps.onError)
      promise = Promise.resolve(compute()) // the same promise when compute returns a native one
    } catch (err) {
      flights.settle(flight)
      if (owner) events.computed(flight.key, owner, performance.now() - started!, true)
      return Promise.reject(err)
    }
    // The statistics' timing rides on this reaction rather than one of its own: a promise and a job fewer
    // per miss.
    void promise.then(
      (value) => {
        if (owner) events.computed(flight.key, owner, performance.now() - started!, false)
        // Written, deleted or cleared meanwhile: the result may rest on older data, so it is not stored.
        const lifetimesKept = flights.changed(flight) ? undefined : keep
        flights.settle(flight) // first: the store is synchronous, and the tracker need not see our own write
        if (lifetimesKept) this.#store(flight.key, value, lifetimesKept, options, tagging)
      },
      () => {
        if (owner) events.computed(flight.key, owner, performance.now() - started!, true)
        flights.settle(flight)
      },
    )
    return promise
  }

  /**
   * A failure here (only a bad clock reading: an unbounded in-process put cannot fail otherwise) can reach no
   * caller, since they hold the computation's promise: it goes to onError, and a throwing onError nowhere.
   */
  #store<T>(
    key: string,
    value: T,
    keep: Lifetimes,
    options: GetOrSetOptions<T>,
    tagging: Tagging | undefined,
  ): void {
    try {
      void this.#deps.stack.write(key, value, keep, tagging)
    } catch (err) {
      try {
        ;(options.onError ?? this.#deps.onError)(err as StorageError)
      } catch {
        // nowhere left to report it: rethrowing here would be an unhandled rejection
      }
    }
  }
}

/** Awaits `compute()`, telling `events` how long it took when the flight has a cached function to credit. */
async function timed<T>(
  flight: Flight,
  compute: () => T | Promise<T>,
  events: CacheEvents,
): Promise<T> {
  const { owner } = flight
  if (owner === undefined) return compute()
  const started = performance.now()
  try {
    const value = await compute()
    events.computed(flight.key, owner, performance.now() - started, false)
    return value
  } catch (err) {
    events.computed(flight.key, owner, performance.now() - started, true)
    throw err
  }
}
