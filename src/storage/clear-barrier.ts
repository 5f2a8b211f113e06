/**
 * Orders clears against writes to the tiers that are not in-process. A tier orders the calls for one key
 * itself (a delete after a set of that key), but a clear removes what it finds, and a write still on its way
 * is not there yet: it would land after the clear and undo it. So a clear waits for the writes that started
 * before it, and a write that starts while a clear runs waits for that clear, which could remove it otherwise.
 */
export class ClearBarrier {
  /** Writes under way (settled promises: they never reject). */
  readonly #writes = new Set<Promise<void>>()
  /** The clears under way, once all have settled; undefined when none runs. */
  #clearing: Promise<void> | undefined

  /** Starts `write` now, or once the clears under way are done. */
  write<R>(write: () => Promise<R>): Promise<R> {
    const pending = this.#clearing ? this.#clearing.then(write) : write()
    const done = pending.then(ignore, ignore)
    this.#writes.add(done)
    void done.then(() => this.#writes.delete(done))
    return pending
  }

  /** Starts `clear` once the writes under way are done; writes that start meanwhile wait for it. */
  clear<R>(clear: () => Promise<R>): Promise<R> {
    const pending = Promise.all(this.#writes).then(clear)
    const done = pending.then(ignore, ignore)
    const barrier = this.#clearing ? Promise.all([this.#clearing, done]).then(ignore) : done
    this.#clearing = barrier
    void barrier.then(() => {
      if (this.#clearing === barrier) this.#clearing = undefined
    })
    return pending
  }
}

function ignore(): void {}
