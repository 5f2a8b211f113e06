/** A call the watchdog waits for: failed by `onTimeout` unless `done` came first. */
export interface WatchedCall {
  /** performance.now() time after which the call fails. */
  readonly deadline: number
  readonly onTimeout: (error: RedisTimeoutError) => void
}

/**
 * A command that took longer than the timeout.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier } from 'tiercache'
 * import { RedisTier } from 'tiercache/redis'
 *
 * const cache = new Cache({
 *   tiers: [new MemoryTier(), new RedisTier({ url: process.env.REDIS_URL, commandTimeout: '200ms' })],
 *   onError: (err) => {
 *     if ((err.cause as Error | undefined)?.name === 'RedisTimeoutError') console.warn('Redis is slow')
 *   },
 * })
 * ```
 */
export class RedisTimeoutError extends Error {
  override name = 'RedisTimeoutError'
}

/**
 * Bounds calls in flight with one timer for all rather than one per call (which costs more than the rest of
 * RedisGuard): it ticks every quarter of the timeout while calls are pending, so a call fails between 1 and
 * 1.25 timeouts after it started. Used by the tier's guard and by the bus's publishes. (A node-redis
 * per-command `timeout` arms an `AbortSignal.timeout` per command, and only covers the wait before the
 * command is written: one written to a frozen server waits until the socket closes.)
 */
export class Watchdog {
  readonly #timeoutMs: number
  readonly #pending = new Set<WatchedCall>()
  #timer: NodeJS.Timeout | undefined

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  /** Starts waiting for a call: `onTimeout` runs once it took too long, unless `done` came first. */
  start(onTimeout: (error: RedisTimeoutError) => void): WatchedCall {
    const call: WatchedCall = { deadline: performance.now() + this.#timeoutMs, onTimeout }
    this.#pending.add(call)
    this.#watch()
    return call
  }

  /** The call settled: true when in time, false when it had timed out already. */
  done(call: WatchedCall): boolean {
    return this.#pending.delete(call)
  }

  /** Resolves when `call` does, rejects when it does or with a `RedisTimeoutError` once it took too long. */
  bound(call: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const watched = this.start(reject)
      call.then(
        () => {
          if (this.done(watched)) resolve()
        },
        (cause: unknown) => {
          if (this.done(watched)) reject(cause)
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
        for (const call of this.#pending) {
          if (call.deadline > now) break
          this.#pending.delete(call)
          call.onTimeout(new RedisTimeoutError(`no answer within ${this.#timeoutMs} ms`))
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
