import { describeFailure, StorageError } from '../core/exceptions'
import { markRepeated } from '../core/repeated-failure'
import { Watchdog } from './watchdog'

export { RedisTimeoutError } from './watchdog'

export interface GuardOptions {
  /** Longest wait for one command, in ms. */
  timeoutMs: number
  /** Consecutive failures after which Redis is skipped. */
  failures: number
  /** How long Redis is skipped then, in ms. */
  cooldownMs: number
}

/**
 * Why a call failed without reaching Redis: the circuit breaker is open after repeated failures. (No `code`
 * on these two: the StorageError's message shows a cause's code in place of its text.)
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier } from 'tiercache'
 * import { RedisTier } from 'tiercache/redis'
 *
 * const cache = new Cache({
 *   tiers: [new MemoryTier(), new RedisTier({ url: process.env.REDIS_URL })],
 *   onError: (err) => {
 *     // The first failure of an outage has the real cause; calls skipped by the open breaker have this one.
 *     if ((err.cause as Error | undefined)?.name !== 'RedisSkippedError') console.warn(err.message)
 *   },
 * })
 * ```
 */
export class RedisSkippedError extends Error {
  override name = 'RedisSkippedError'
}

/**
 * Bounds every Redis command: a timeout per command, and a circuit breaker that, after `failures` failures
 * in a row, fails calls at once for `cooldownMs` instead of letting each wait for a server that is gone.
 * After the cooldown the next calls try again; one success closes the breaker, one failure reopens it.
 * Every failure comes out as a `StorageError` of the tier, with the cause kept.
 */
export class RedisGuard {
  readonly #tier: string
  readonly #options: GuardOptions
  #failures = 0
  /** A command failed and none has succeeded since: later failures are repeats of the same outage. */
  #down = false
  #skipUntil = 0 // performance.now() time; monotonic, so a wall-clock jump does not stretch the cooldown

  readonly #watchdog: Watchdog

  constructor(tier: string, options: GuardOptions) {
    this.#tier = tier
    this.#options = options
    this.#watchdog = new Watchdog(options.timeoutMs)
  }

  /** Whether calls are being skipped right now. */
  get open(): boolean {
    return this.#skipUntil !== 0 && performance.now() < this.#skipUntil
  }

  run<T>(action: string, key: string | undefined, command: () => Promise<T>): Promise<T> {
    if (this.#skipUntil !== 0) {
      const left = this.#skipUntil - performance.now()
      if (left > 0)
        return Promise.reject(
          this.#fail(
            action,
            key,
            new RedisSkippedError(
              `skipped: Redis failed ${this.#failures} times in a row; next try in ${Math.ceil(left)} ms`,
            ),
          ),
        )
    }
    return new Promise<T>((resolve, reject) => {
      const fail = (cause: unknown) => {
        if (++this.#failures >= this.#options.failures)
          this.#skipUntil = performance.now() + this.#options.cooldownMs
        reject(this.#fail(action, key, cause))
      }
      const call = this.#watchdog.start(fail)
      let started: Promise<T>
      try {
        started = command()
      } catch (err) {
        started = Promise.reject(err)
      }
      started.then(
        (result) => {
          if (!this.#watchdog.done(call)) return // timed out already
          this.#failures = 0
          this.#skipUntil = 0
          this.#down = false
          resolve(result)
        },
        (cause: unknown) => {
          if (this.#watchdog.done(call)) fail(cause)
        },
      )
    })
  }

  /**
   * The failure as a StorageError. Every failure after the first of an outage (until a command succeeds) is
   * marked as a repeat, so that `Cache` reports an outage to `onError` once (src/core/repeated-failure.ts).
   */
  #fail(action: string, key: string | undefined, cause: unknown): StorageError {
    const error = new StorageError(describeFailure(this.#tier, action, key, cause), {
      key,
      tier: this.#tier,
      cause,
    })
    if (this.#down) return markRepeated(error)
    this.#down = true
    return error
  }
}
