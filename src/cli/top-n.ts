/**
 * The `limit` greatest items of a stream by `compare`, in a binary min-heap: memory stays at `limit` items
 * however long the stream, and each item costs O(log limit). `ls --limit 20` over 100 k entries keeps 20.
 */
export class TopN<T> {
  readonly #heap: T[] = []

  constructor(
    readonly limit: number,
    /** Positive when `a` ranks above `b`. */
    readonly compare: (a: T, b: T) => number,
  ) {}

  push(item: T): void {
    const heap = this.#heap
    if (heap.length < this.limit) {
      heap.push(item)
      this.#up(heap.length - 1)
    } else if (this.limit > 0 && this.compare(item, heap[0]!) > 0) {
      heap[0] = item
      this.#down(0)
    }
  }

  /** The items kept, greatest first. */
  sorted(): T[] {
    return [...this.#heap].sort((a, b) => this.compare(b, a))
  }

  #up(i: number): void {
    const heap = this.#heap
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.compare(heap[parent]!, heap[i]!) <= 0) return
      ;[heap[parent], heap[i]] = [heap[i]!, heap[parent]!]
      i = parent
    }
  }

  #down(i: number): void {
    const heap = this.#heap
    for (;;) {
      let least = i
      for (const child of [2 * i + 1, 2 * i + 2])
        if (child < heap.length && this.compare(heap[child]!, heap[least]!) < 0) least = child
      if (least === i) return
      ;[heap[least], heap[i]] = [heap[i]!, heap[least]!]
      i = least
    }
  }
}
