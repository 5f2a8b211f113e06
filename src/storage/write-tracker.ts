/**
 * Tells a slow read or a computation whether its key was written, deleted or cleared while it ran, so that
 * it does not put an older value back on top of a newer one (a file read promoted into memory after a
 * delete, a result computed from old data stored after an invalidate).
 *
 * Cheap to open and close, since every miss does both: writes are remembered per key only while some watch
 * is open, and forgotten all at once when the last one closes (a later watch only asks about writes after
 * it opened). `clear` may touch any key; it moves an epoch that every open watch notices.
 */
export class WriteTracker {
  #sequence = 0
  #epoch = 0
  #open = 0
  /** The sequence number of the last write per key, since the oldest open watch (at most MAX_REMEMBERED). */
  #lastWrite = new Map<string, number>()

  /** Opens a watch on `key`; pair it with one `unwatch`. */
  watch(key: string): WriteWatch {
    this.#open++
    return { key, sequence: this.#sequence, epoch: this.#epoch }
  }

  unwatch(_watch: WriteWatch): void {
    if (--this.#open === 0 && this.#lastWrite.size > 0) this.#lastWrite = new Map()
  }

  /** True when the key was written, deleted or cleared since the watch opened. */
  changedSince(watch: WriteWatch): boolean {
    return watch.epoch !== this.#epoch || (this.#lastWrite.get(watch.key) ?? -1) > watch.sequence
  }

  /** Records a write or delete of `key`. */
  noteWrite(key: string): void {
    this.#sequence++
    if (this.#open === 0) return
    if (this.#lastWrite.size >= MAX_REMEMBERED) {
      // Watches that stay open forever must not grow this without bound: forget, and count it as a clear.
      // The cost is conservative: watches open now treat their key as changed (a result is not stored).
      this.#lastWrite = new Map()
      this.#epoch++
    }
    this.#lastWrite.set(key, this.#sequence)
  }

  /** Records a clear, which may have touched any key. */
  noteClear(): void {
    this.#epoch++
  }
}

const MAX_REMEMBERED = 16_384

export interface WriteWatch {
  readonly key: string
  readonly sequence: number
  readonly epoch: number
}
