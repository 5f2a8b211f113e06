/**
 * Tells a slow read or a computation whether its key was written, deleted or cleared while it ran, so that
 * it does not put an older value back on top of a newer one (a file read promoted into memory after a
 * delete, a result computed from old data stored after an invalidate).
 *
 * Only keys that someone is watching are remembered, so memory does not grow with the key space. `clear`
 * may match any watched key; it moves a global epoch that every watch notices.
 */
export class WriteTracker {
  #sequence = 0
  #epoch = 0
  /** How many watches are open per key. */
  readonly #watchers = new Map<string, number>()
  /** The sequence number of the last write to a watched key. */
  readonly #lastWrite = new Map<string, number>()

  /** Opens a watch on `key`; pair it with `unwatch`. */
  watch(key: string): WriteWatch {
    this.#watchers.set(key, (this.#watchers.get(key) ?? 0) + 1)
    return { key, sequence: this.#sequence, epoch: this.#epoch }
  }

  unwatch(watch: WriteWatch): void {
    const count = (this.#watchers.get(watch.key) ?? 1) - 1
    if (count > 0) {
      this.#watchers.set(watch.key, count)
      return
    }
    this.#watchers.delete(watch.key)
    this.#lastWrite.delete(watch.key)
  }

  /** True when the key was written, deleted or cleared since the watch opened. */
  changedSince(watch: WriteWatch): boolean {
    return watch.epoch !== this.#epoch || (this.#lastWrite.get(watch.key) ?? -1) > watch.sequence
  }

  /** Records a write or delete of `key`. */
  noteWrite(key: string): void {
    this.#sequence++
    if (this.#watchers.has(key)) this.#lastWrite.set(key, this.#sequence)
  }

  /** Records a clear, which may have touched any key. */
  noteClear(): void {
    this.#epoch++
  }
}

export interface WriteWatch {
  readonly key: string
  readonly sequence: number
  readonly epoch: number
}
