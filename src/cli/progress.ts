import { count, span, type Streams } from './output'

/**
 * A one-line progress display on stderr for work that takes longer than about a second: items done out of
 * the total, the rate and the time left. Only when both stdout and stderr are terminals: piped or redirected
 * output gets nothing, so scripts and logs stay clean. It is drawn from `tick()` (at most ten times a second),
 * not from a timer: the walks are synchronous stretches in which no timer would fire.
 */

/** How long work runs before the display appears. TIERCACHE_PROGRESS_DELAY_MS changes it (tests set 0). */
function showAfterMs(): number {
  const fromEnv = process.env.TIERCACHE_PROGRESS_DELAY_MS
  const ms = fromEnv === undefined || fromEnv === '' ? NaN : Number(fromEnv)
  return Number.isFinite(ms) && ms >= 0 ? ms : 1000
}

const REDRAW_MS = 100

export class Progress {
  readonly #streams: Streams
  readonly #label: string
  readonly #enabled: boolean
  readonly #startedAt = Date.now()
  readonly #showAt: number
  #total: number | undefined
  #done = 0
  #drawnAt = 0
  #shown = false

  constructor(streams: Streams, label: string, total?: number) {
    this.#streams = streams
    this.#label = label
    this.#total = total
    this.#enabled = Boolean(streams.err.isTTY && streams.out.isTTY)
    this.#showAt = this.#startedAt + showAfterMs()
  }

  /** Whether anything is drawn at all; callers skip work (such as counting the total) that only it needs. */
  get enabled(): boolean {
    return this.#enabled
  }

  set total(total: number) {
    this.#total = total
  }

  /** Counts `n` more items done, and redraws when it is time to. */
  tick(n = 1): void {
    this.#done += n
    if (!this.#enabled) return
    const now = Date.now()
    if (now >= this.#showAt && now - this.#drawnAt >= REDRAW_MS) this.#draw(now)
  }

  /**
   * Redraws from a timer while `work` runs, for asynchronous work that cannot tick (the tier's own prune):
   * the display then shows the time spent.
   */
  async during<T>(work: Promise<T>): Promise<T> {
    if (!this.#enabled) return work
    const timer = setInterval(() => this.tick(0), REDRAW_MS)
    try {
      return await work
    } finally {
      clearInterval(timer)
      this.finish()
    }
  }

  /** Removes the line, if one was drawn: the display is over. */
  finish(): void {
    if (this.#shown) this.#streams.err.write('\r\x1b[K')
    this.#shown = false
  }

  #draw(now: number): void {
    this.#drawnAt = now
    const elapsedS = Math.max((now - this.#startedAt) / 1000, 0.001)
    const rate = this.#done / elapsedS
    const parts = [this.#label]
    const total = this.#total
    if (total !== undefined && total > 0) {
      const done = Math.min(this.#done, total)
      parts.push(`${count(done)}/${count(total)}`, `${Math.floor((done / total) * 100)}%`)
      parts.push(`${count(Math.round(rate))}/s`)
      if (rate > 0) parts.push(`${span(((total - done) / rate) * 1000)} left`)
    } else if (this.#done > 0) {
      parts.push(count(this.#done), `${count(Math.round(rate))}/s`, span(elapsedS * 1000))
    } else {
      parts.push(span(elapsedS * 1000))
    }
    this.#streams.err.write(`\r\x1b[K${parts.join('  ')}`)
    this.#shown = true
  }
}
