/**
 * Runs work for one key at a time, in call order, while different keys proceed in parallel. A lock exists
 * only while someone holds or waits for it, so the map never grows with the key space.
 *
 * A promise chain per key rather than async-mutex: that package's CommonJS build loads tslib, which
 * installs some thirty `__extends`-style globals in every process that `require`s tiercache.
 */
export class KeyedLock {
  readonly #locks = new Map<string, { tail: Promise<void>; users: number }>()

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let slot = this.#locks.get(key)
    if (!slot) {
      slot = { tail: Promise.resolve(), users: 0 }
      this.#locks.set(key, slot)
    }
    slot.users++
    const previous = slot.tail
    let release!: () => void
    slot.tail = new Promise<void>((resolve) => (release = resolve))
    await previous
    try {
      return await work()
    } finally {
      release()
      if (--slot.users === 0) this.#locks.delete(key)
    }
  }
}
