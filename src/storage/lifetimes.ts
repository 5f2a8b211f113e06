import { toMs, type Duration } from '../core/duration'
import type { GetOrSetOptions, TtlArgument } from './cache-types'

/** How long one write lives, in ms: in every tier, and as an in-process copy (never longer than the first). */
export interface Lifetimes {
  readonly ttlMs: number
  readonly memoryTtlMs: number
}

const DEFAULT_TTL_MS = 24 * 3_600_000

/** A cache's default lifetimes, and the lifetimes of each write given the options it came with. */
export class LifetimePolicy {
  /** The cache-wide lifetime of in-process copies (`Infinity`: as long as the entry). */
  readonly memoryTtlMs: number
  readonly #ttlMs: number
  /** The cache-wide lifetimes, shared by every write that gives none of its own. */
  readonly #defaults: Lifetimes

  constructor(ttl: Duration | undefined, memoryTtl: Duration | undefined) {
    this.#ttlMs = ttl === undefined ? DEFAULT_TTL_MS : toMs(ttl, 'ttl')
    this.memoryTtlMs = memoryTtl === undefined ? Infinity : toMs(memoryTtl, 'memoryTtl')
    this.#defaults = { ttlMs: this.#ttlMs, memoryTtlMs: Math.min(this.#ttlMs, this.memoryTtlMs) }
  }

  /** The lifetimes of a `set(key, value, ttl)`. Throws TypeError for a bad duration. */
  of(ttl: TtlArgument | undefined): Lifetimes {
    const options = ttl !== null && typeof ttl === 'object' ? ttl : { ttl }
    if (options.ttl === undefined && options.memoryTtl === undefined) return this.#defaults
    const ttlMs = options.ttl === undefined ? this.#ttlMs : toMs(options.ttl, 'ttl')
    const memoryTtlMs =
      options.memoryTtl === undefined ? this.memoryTtlMs : toMs(options.memoryTtl, 'memoryTtl')
    return { ttlMs, memoryTtlMs: Math.min(ttlMs, memoryTtlMs) }
  }

  /** The lifetimes to store a computed value with, or undefined when the options say not to store it. */
  ofComputed<T>(value: T, options: GetOrSetOptions<T>): Lifetimes | undefined {
    if (options.shouldCache && !options.shouldCache(value)) return undefined
    const ttl = typeof options.ttl === 'function' ? options.ttl(value) : options.ttl
    if (ttl === 0) return undefined
    if (ttl === undefined && options.memoryTtl === undefined) return this.#defaults // most calls: no object made
    return this.of({ ttl, memoryTtl: options.memoryTtl })
  }
}
