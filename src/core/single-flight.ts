/**
 * One in-flight promise per key: concurrent callers of `run(key, work)` share the first caller's promise,
 * and the slot is freed when it settles, so a rejection is shared by the waiters but never remembered.
 */
export class SingleFlight<T = unknown> {
  readonly #inFlight = new Map<string, Promise<T>>()

  /** The promise already running for `key`, if any. */
  get(key: string): Promise<T> | undefined {
    return this.#inFlight.get(key)
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key)
    if (running) return running
    const promise = (async () => {
      try {
        return await work()
      } finally {
        this.#inFlight.delete(key)
      }
    })()
    this.#inFlight.set(key, promise)
    return promise
  }

  get size(): number {
    return this.#inFlight.size
  }
}
