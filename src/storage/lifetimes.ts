import { toMs, type Duration } from '../core/duration'
import { PolicyError, type StorageError } from '../core/exceptions'
import type { GetOrSetOptions, TtlArgument } from './cache-types'
import { NO_FRESHNESS, policyOf, shapesEntries, type FreshnessPolicy } from './freshness'

/** How long one write lives, in ms: in every tier, and as an in-process copy (never longer than the first). */
export interface Lifetimes {
  readonly ttlMs: number
  readonly memoryTtlMs: number
  /** The stale window, eager refresh and jitter of the write (freshness.ts); undefined: none. */
  readonly freshness?: FreshnessPolicy
}

const DEFAULT_TTL_MS = 24 * 3_600_000

/** A cache's default lifetimes, and the lifetimes of each write given the options it came with. */
export class LifetimePolicy {
  /** The cache-wide lifetime of in-process copies (`Infinity`: as long as the entry). */
  readonly memoryTtlMs: number
  readonly #ttlMs: number
  /** The cache-wide lifetimes, shared by every write that gives none of its own. */
  readonly #defaults: Lifetimes
  /** The cache's freshness options (the policy calls start from). */
  readonly freshness: FreshnessPolicy

  constructor(
    ttl: Duration | undefined,
    memoryTtl: Duration | undefined,
    freshness: FreshnessPolicy = NO_FRESHNESS,
  ) {
    this.#ttlMs = ttl === undefined ? DEFAULT_TTL_MS : toMs(ttl, 'ttl')
    this.memoryTtlMs = memoryTtl === undefined ? Infinity : toMs(memoryTtl, 'memoryTtl')
    this.freshness = freshness
    this.#defaults = {
      ttlMs: this.#ttlMs,
      memoryTtlMs: Math.min(this.#ttlMs, this.memoryTtlMs),
      freshness: shapesEntries(freshness) ? freshness : undefined,
    }
  }

  /** The lifetimes of a `set(key, value, ttl)`. Throws TypeError for a bad duration. */
  of(ttl: TtlArgument | undefined): Lifetimes {
    const options = ttl !== null && typeof ttl === 'object' ? ttl : { ttl }
    if (options.ttl === undefined && options.memoryTtl === undefined) return this.#defaults
    const ttlMs = options.ttl === undefined ? this.#ttlMs : toMs(options.ttl, 'ttl')
    const memoryTtlMs =
      options.memoryTtl === undefined ? this.memoryTtlMs : toMs(options.memoryTtl, 'memoryTtl')
    return { ttlMs, memoryTtlMs: Math.min(ttlMs, memoryTtlMs), freshness: this.#defaults.freshness }
  }

  /** `lifetimes` with the stale window of a call's own freshness options, when it has any. */
  #withFreshness(lifetimes: Lifetimes, options: GetOrSetOptions<never>): Lifetimes {
    const policy = policyOf(options, this.freshness)
    if (policy === this.freshness) return lifetimes
    return { ...lifetimes, freshness: shapesEntries(policy) ? policy : undefined }
  }

  /**
   * A TypeError for a fixed (non-function) `ttl` or `memoryTtl` that is no duration, else undefined. Checked
   * before computing: such an option is the caller's mistake, and fails the call before `compute` runs.
   */
  checkFixed(options: GetOrSetOptions<never>): TypeError | undefined {
    try {
      if (options.ttl !== undefined && options.ttl !== 0 && typeof options.ttl !== 'function')
        toMs(options.ttl, 'ttl')
      if (options.memoryTtl !== undefined) toMs(options.memoryTtl, 'memoryTtl')
      return undefined
    } catch (err) {
      return err as TypeError
    }
  }

  /**
   * The lifetimes to store a computed value with, or undefined when it is not to be stored: the options say
   * so, or they failed on it (a `shouldCache` or `ttl` function that throws, a `ttl` function returning no
   * duration). A failure runs after the value was computed, so it must not cost the caller the value: it goes
   * to `onError` as a PolicyError (an `onError` that throws passes its error on, by the caller's choice).
   */
  ofComputed<T>(
    key: string,
    value: T,
    options: GetOrSetOptions<T>,
    onError: (error: StorageError) => void,
  ): Lifetimes | undefined {
    const { shouldCache, ttl: ttlOption, memoryTtl } = options
    if (shouldCache === undefined && typeof ttlOption !== 'function') {
      // most calls: no user code to guard, no object made
      if (ttlOption === 0) return undefined
      return this.#withFreshness(
        ttlOption === undefined && memoryTtl === undefined
          ? this.#defaults
          : this.of({ ttl: ttlOption, memoryTtl }),
        options,
      )
    }
    let option = 'shouldCache'
    try {
      if (shouldCache && !shouldCache(value)) return undefined
      option = 'ttl'
      const ttl = typeof ttlOption === 'function' ? ttlOption(value) : ttlOption
      if (ttl === 0) return undefined
      if (ttl === undefined && memoryTtl === undefined)
        return this.#withFreshness(this.#defaults, options)
      return this.#withFreshness(this.of({ ttl, memoryTtl }), options)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      onError(
        new PolicyError(
          `[tiercache] the ${option} option failed on the value computed for ${JSON.stringify(key.length > 80 ? `${key.slice(0, 77)}...` : key)}, which was not stored: ${reason}`,
          { key, cause: err },
        ),
      )
      return undefined
    }
  }
}
