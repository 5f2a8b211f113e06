import type { KeyPredicate } from './tier'
import type { WriteTracker, WriteWatch } from './write-tracker'

/** One computation under way for a key, and the watch that tells whether its key changed meanwhile. */
export interface Flight {
  readonly key: string
  readonly watch: WriteWatch
  /** The promise callers share; undefined until registered. */
  promise: Promise<unknown> | undefined
  /** True once the computation ended (it may end before it could be registered: a synchronous throw). */
  settled: boolean
}

/**
 * In-process single-flight: the computation under way per key, which later callers for the key join, plus
 * the write tracker that tells a computation whether its result is still worth storing when it ends.
 * A flight is removed when it settles, or when its key is invalidated (later callers must not join a
 * computation that began before the change).
 */
export class FlightRegistry {
  readonly #running = new Map<string, Promise<unknown>>()
  readonly #writes: WriteTracker

  constructor(writes: WriteTracker) {
    this.#writes = writes
  }

  /** The promise of the computation under way for `key`, if any. */
  running(key: string): Promise<unknown> | undefined {
    return this.#running.get(key)
  }

  /** Starts a flight for `key`: pair it with `register` (once its promise exists) and one `settle`. */
  open(key: string): Flight {
    return { key, watch: this.#writes.watch(key), promise: undefined, settled: false }
  }

  /** Lets later callers join `flight`, unless it already settled (then there is nothing to join). */
  register<T>(flight: Flight, promise: Promise<T>): Promise<T> {
    if (!flight.settled) this.#running.set(flight.key, (flight.promise = promise))
    return promise
  }

  /** True when the flight's key was written, deleted or cleared since the flight opened. */
  changed(flight: Flight): boolean {
    return this.#writes.changedSince(flight.watch)
  }

  /** Ends a flight: closes its watch and frees its slot (unless a later flight took it). */
  settle(flight: Flight): void {
    this.#writes.unwatch(flight.watch)
    flight.settled = true
    if (this.#running.get(flight.key) === flight.promise) this.#running.delete(flight.key)
  }

  /** Forgets the flight of `key` (or, with `match`, of every key it accepts; undefined: every key). */
  drop(target: { key: string } | { match: KeyPredicate | undefined }): void {
    if ('key' in target) {
      this.#running.delete(target.key)
      return
    }
    const { match } = target
    for (const key of [...this.#running.keys()]) if (!match || match(key)) this.#running.delete(key)
  }
}
