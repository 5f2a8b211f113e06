import { describeFailure, StorageError } from '../core/exceptions'

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
 */
export class RedisSkippedError extends Error {
  override name = 'RedisSkippedError'
}

/** A command that took longer than the timeout. */
export class RedisTimeoutError extends Error {
  override name = 'RedisTimeoutError'
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
  #skipUntil = 0 // performance.now() time; monotonic, so a wall-clock jump does not stretch the cooldown

  constructor(tier: string, options: GuardOptions) {
    this.#tier = tier
    this.#options = options
  }

  /** Whether calls are being skipped right now. */
  get open(): boolean {
    return this.#skipUntil !== 0 && performance.now() < this.#skipUntil
  }

  async run<T>(action: string, key: string | undefined, command: () => Promise<T>): Promise<T> {
    if (this.#skipUntil !== 0) {
      const left = this.#skipUntil - performance.now()
      if (left > 0)
        throw this.#fail(
          action,
          key,
          new RedisSkippedError(
            `skipped: Redis failed ${this.#failures} times in a row; next try in ${Math.ceil(left)} ms`,
          ),
        )
    }
    let timer: NodeJS.Timeout | undefined
    try {
      const result = await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new RedisTimeoutError(`no answer within ${this.#options.timeoutMs} ms`)),
            this.#options.timeoutMs,
          )
          timer.unref()
        }),
      ])
      this.#failures = 0
      this.#skipUntil = 0
      return result
    } catch (cause) {
      if (++this.#failures >= this.#options.failures)
        this.#skipUntil = performance.now() + this.#options.cooldownMs
      throw this.#fail(action, key, cause)
    } finally {
      clearTimeout(timer)
    }
  }

  #fail(action: string, key: string | undefined, cause: unknown): StorageError {
    return new StorageError(describeFailure(this.#tier, action, key, cause), {
      key,
      tier: this.#tier,
      cause,
    })
  }
}
