import type { FunctionRecord } from './function-stats'
import type { KeyPredicate } from './tier'

/** One computation under way for a key. */
export interface Flight {
  readonly key: string
  /** The promise callers share; undefined until registered. */
  promise: Promise<unknown> | undefined
  /** True once the computation ended (it may end before it could be registered: a synchronous throw). */
  settled: boolean
  /** True once its key was invalidated (set, deleted, cleared, refreshed): its result must not be stored. */
  stale: boolean
  /** The cached function computing it, when known: events about its key are counted for that function. */
  readonly owner: FunctionRecord | undefined
  /** The tags its result will carry, when known before it is computed; 'result' when they come from it. */
  tags: readonly string[] | 'result' | undefined
}

/**
 * In-process single-flight: the computation under way per key, which later callers for the key join, and
 * whether its key changed while it ran (then its result rests on older data and is not stored). A flight
 * leaves the registry when it settles, or when its key is invalidated: later callers must not join a
 * computation that began before the change. Keeping "changed" on the flight, rather than in a WriteTracker
 * watch of its own, spares a miss two Map operations and two objects.
 */
export class FlightRegistry {
  readonly #running = new Map<string, Flight>()

  /** The promise of the computation under way for `key`, if any. */
  running(key: string): Promise<unknown> | undefined {
    return this.#running.get(key)?.promise
  }

  /**
   * Starts a flight for `key`: pair it with `register` (once its promise exists) and one `settle`. It is
   * held from now on, so that an invalidation made by the computation itself, before `register`, marks it.
   */
  open(key: string, owner?: FunctionRecord): Flight {
    const flight: Flight = {
      key,
      promise: undefined,
      settled: false,
      stale: false,
      owner,
      tags: undefined,
    }
    this.#running.set(key, flight)
    return flight
  }

  /** The cached function whose computation of `key` is under way, if any. */
  ownerOf(key: string): FunctionRecord | undefined {
    return this.#running.get(key)?.owner
  }

  /** Lets later callers join `flight` (unless it settled or was dropped already: it is no longer held). */
  register<T>(flight: Flight, promise: Promise<T>): Promise<T> {
    flight.promise = promise
    return promise
  }

  /** True when the flight's key was written, deleted or cleared since the flight opened. */
  changed(flight: Flight): boolean {
    return flight.stale
  }

  /** Ends a flight: frees its slot (unless a later flight took it). */
  settle(flight: Flight): void {
    flight.settled = true
    if (this.#running.get(flight.key) === flight) this.#running.delete(flight.key)
  }

  /**
   * Tags were invalidated: the flights of those tags are marked stale and forgotten. Flights whose tags come
   * from their result are forgotten too (later callers start afresh); whether such a result is stored is
   * decided when its tags are known (`TagVersions.changedSince`).
   */
  dropTags(tags: readonly string[]): void {
    for (const [key, flight] of [...this.#running]) {
      const own = flight.tags
      if (own === undefined || (own !== 'result' && !own.some((tag) => tags.includes(tag))))
        continue
      if (own !== 'result') flight.stale = true
      this.#running.delete(key)
    }
  }

  /** Marks the flight of `key` (or, with `match`, of each key it accepts; undefined: every key) stale, and forgets it. */
  drop(target: { key: string } | { match: KeyPredicate | undefined }): void {
    if ('key' in target) {
      const flight = this.#running.get(target.key)
      if (flight === undefined) return
      flight.stale = true
      this.#running.delete(target.key)
      return
    }
    const { match } = target
    for (const [key, flight] of [...this.#running]) {
      if (match && !match(key)) continue
      flight.stale = true
      this.#running.delete(key)
    }
  }
}
