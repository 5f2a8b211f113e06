import { Mutex } from 'async-mutex'

/**
 * Runs work for one key at a time, in call order, while different keys proceed in parallel. A lock exists
 * only while someone holds or waits for it, so the map never grows with the key space.
 */
export class KeyedLock {
  readonly #locks = new Map<string, { mutex: Mutex; users: number }>()

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let slot = this.#locks.get(key)
    if (!slot) {
      slot = { mutex: new Mutex(), users: 0 }
      this.#locks.set(key, slot)
    }
    slot.users++
    try {
      return await slot.mutex.runExclusive(work)
    } finally {
      if (--slot.users === 0) this.#locks.delete(key)
    }
  }
}
