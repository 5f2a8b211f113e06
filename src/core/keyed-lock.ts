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
    // acquire() rather than runExclusive(): the latter runs through down-levelled generator code that cost
    // about a tenth of a file write's time here.
    const release = await slot.mutex.acquire()
    try {
      return await work()
    } finally {
      release()
      if (--slot.users === 0) this.#locks.delete(key)
    }
  }
}
