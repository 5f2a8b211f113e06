import { RedisTimeoutError } from './guard'

interface Pending {
  /** performance.now() time after which the call fails. */
  readonly deadline: number
  reject(cause: unknown): void
}

/**
 * Bounds calls in flight with one timer for all, as `RedisGuard` does for the tier: it ticks every quarter of
 * the timeout while calls are pending, so a call fails between 1 and 1.25 timeouts after it started. (A
 * node-redis per-command `timeout` arms an `AbortSignal.timeout` per command, and only covers the wait before
 * the command is written: one written to a frozen server waits until the socket closes.)
 */
export class Watchdog {
  readonly #timeoutMs: number
  readonly #pending = new Set<Pending>()
  #timer: NodeJS.Timeout | undefined

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  /** Resolves when `call` does, rejects when it does or with a `RedisTimeoutError` once it took too long. */
  bound(call: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { deadline: performance.now() + this.#timeoutMs, reject }
      this.#pending.add(pending)
      this.#watch()
      call.then(
        () => {
          if (this.#pending.delete(pending)) resolve()
        },
        (cause: unknown) => {
          if (this.#pending.delete(pending)) reject(cause)
        },
      )
    })
  }

  #watch(): void {
    if (this.#timer) return
    this.#timer = setInterval(
      () => {
        const now = performance.now()
        // In order of deadline: every call has the same timeout, and the set keeps the order of addition.
        for (const pending of this.#pending) {
          if (pending.deadline > now) break
          this.#pending.delete(pending)
          pending.reject(new RedisTimeoutError(`no answer within ${this.#timeoutMs} ms`))
        }
        if (this.#pending.size === 0) {
          clearInterval(this.#timer)
          this.#timer = undefined
        }
      },
      Math.max(1, this.#timeoutMs / 4),
    )
    this.#timer.unref()
  }
}
