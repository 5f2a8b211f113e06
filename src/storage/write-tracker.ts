/**
 * Tells a slow read or a computation whether its key was written, deleted or cleared while it ran, so that
 * it does not put an older value back on top of a newer one (a file read promoted into memory after a
 * delete, a result computed from old data stored after an invalidate).
 *
 * Only keys that someone is watching are remembered (one small record per watched key, dropped with its last
 * watch), so memory does not grow with the key space and a write to another key never counts. `clear` may
 * match any watched key; it moves a global epoch that every open watch notices.
 */
export class WriteTracker {
  #sequence = 0
  #epoch = 0
  readonly #watched = new Map<string, KeyRecord>()

  /** Opens a watch on `key`; pair it with one `unwatch`. */
  watch(key: string): WriteWatch {
    let record = this.#watched.get(key)
    if (record === undefined) this.#watched.set(key, (record = { watchers: 0, lastWrite: -1 }))
    record.watchers++
    return { key, record, sequence: this.#sequence, epoch: this.#epoch }
  }

  unwatch(watch: WriteWatch): void {
    if (--watch.record.watchers === 0) this.#watched.delete(watch.key)
  }

  /** True when the key was written, deleted or cleared since the watch opened. */
  changedSince(watch: WriteWatch): boolean {
    return watch.epoch !== this.#epoch || watch.record.lastWrite > watch.sequence
  }

  /** Records a write or delete of `key`. */
  noteWrite(key: string): void {
    this.#sequence++
    const record = this.#watched.get(key)
    if (record !== undefined) record.lastWrite = this.#sequence
  }

  /** Records a clear, which may have touched any key. */
  noteClear(): void {
    this.#epoch++
  }
}

/** What is known of one watched key: how many watches are open on it, and its last write's sequence number. */
interface KeyRecord {
  watchers: number
  lastWrite: number
}

export interface WriteWatch {
  readonly key: string
  readonly record: KeyRecord
  readonly sequence: number
  readonly epoch: number
}
