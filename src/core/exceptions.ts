/**
 * The errors tiercache throws. Each carries a `code`, because a dual ESM/CJS install can load two copies of
 * these classes and `instanceof` then fails across copies: `err.code === 'E_STORAGE'` always works.
 */

/**
 * Base class of every tiercache error.
 *
 * @example
 * ```ts
 * import { Cache, type CacheError } from 'tiercache'
 *
 * const cache = new Cache()
 * try {
 *   await cache.set('', 'no key')
 * } catch (err) {
 *   // `code` works across the ESM and CJS copies of the library, where `instanceof` does not.
 *   console.log((err as CacheError).code) // 'E_INVALID_KEY'
 * }
 * ```
 */
export class CacheError extends Error {
  override name = 'CacheError'
  readonly code: string = 'E_CACHE'

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
  }
}

/**
 * A key that cannot be used (empty, or not a string).
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache()
 * await cache.get('').catch((err: Error & { code?: string }) => {
 *   console.log(err.name, err.code) // InvalidKeyError E_INVALID_KEY
 * })
 * ```
 */
export class InvalidKeyError extends CacheError {
  override name = 'InvalidKeyError'
  override readonly code: string = 'E_INVALID_KEY'
}

/**
 * A tier failed to read, write or delete: disk full, permissions, a server gone. Carries the key and tier.
 *
 * @example
 * ```ts
 * import { Cache, type StorageError } from 'tiercache'
 *
 * const cache = new Cache({
 *   // Failures that getOrSet, withCache and @Cached recovered from: the caller still got its value.
 *   onError: (err: StorageError) =>
 *     console.warn(`cache: ${err.tier} tier failed for ${err.key} (${err.code})`, err.cause),
 * })
 * ```
 */
export class StorageError extends CacheError {
  override name = 'StorageError'
  override readonly code: string = 'E_STORAGE'
  readonly key: string | undefined
  readonly tier: string | undefined

  constructor(message: string, options: { key?: string; tier?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.key = options.key
    this.tier = options.tier
  }
}

/**
 * A value that cannot be stored: a function, a symbol, a circular structure. Thrown by `set`.
 *
 * @example
 * ```ts
 * import { Cache, isStorageError } from 'tiercache'
 *
 * const cache = new Cache()
 * try {
 *   await cache.set('handler', { onDone: () => 'a function cannot be stored' })
 * } catch (err) {
 *   if (isStorageError(err) && err.code === 'E_SERIALIZATION') console.log(err.message)
 * }
 * ```
 */
export class SerializationError extends StorageError {
  override name = 'SerializationError'
  override readonly code: string = 'E_SERIALIZATION'
}

/**
 * A caching policy failed on a computed value: a `ttl` function that threw or returned no valid duration,
 * or a `shouldCache` that threw. The value is not stored and the caller still gets it; this goes to `onError`.
 *
 * @example
 * ```ts
 * import { withCache } from 'tiercache'
 *
 * const lookup = withCache(async (id: string) => ({ id, status: 'ready' }), {
 *   namespace: 'jobs',
 *   ttl: () => 'soon', // not a duration: the result is returned, not stored
 *   onError: (err) => console.warn(err.code), // 'E_POLICY'
 * })
 * await lookup('abc')
 * ```
 */
export class PolicyError extends StorageError {
  override name = 'PolicyError'
  override readonly code: string = 'E_POLICY'
}

/**
 * The clock read something other than a finite number of epoch ms: the operation stored nothing.
 *
 * @example
 * ```ts
 * import { Cache, MemoryTier } from 'tiercache'
 *
 * const broken = { now: () => Number.NaN }
 * const cache = new Cache({ tiers: [new MemoryTier({ clock: broken })], clock: broken })
 * await cache.set('k', 1).catch((err: Error & { code?: string }) => console.log(err.code)) // 'E_CLOCK'
 * ```
 */
export class ClockError extends StorageError {
  override name = 'ClockError'
  override readonly code: string = 'E_CLOCK'
}

/**
 * A computation passed its `hardTimeout`: the caller rejects with this (unless `staleIfError` served a stale
 * value). The computation goes on, and its result is stored when it lands.
 *
 * @example
 * ```ts
 * import { TimeoutError, withCache } from 'tiercache'
 *
 * declare function callModel(documentId: string): Promise<string>
 *
 * const summarize = withCache(callModel, { ttl: '1h', hardTimeout: '1m' })
 * try {
 *   console.log(await summarize('doc-42'))
 * } catch (err) {
 *   if (!(err instanceof TimeoutError)) throw err
 *   console.warn(`${err.key}: no answer after ${err.timeoutMs} ms; the next call gets it once it lands`)
 * }
 * ```
 */
export class TimeoutError extends CacheError {
  override name = 'TimeoutError'
  override readonly code: string = 'E_TIMEOUT'
  readonly key: string
  /** The `hardTimeout` that passed, in ms. */
  readonly timeoutMs: number

  constructor(message: string, options: { key: string; timeoutMs: number }) {
    super(message)
    this.key = options.key
    this.timeoutMs = options.timeoutMs
  }
}

/**
 * A computation failed (or timed out) where no caller receives the error: a background refresh, or one whose
 * callers were served a stale value instead (`staleIfError`). Goes to `onError`; `cause` is the failure.
 *
 * @example
 * ```ts
 * import { Cache, RefreshError } from 'tiercache'
 *
 * const cache = new Cache({
 *   staleWhileRevalidate: '10m',
 *   staleIfError: '1d',
 *   onError: (err) => {
 *     // The callers were served the stale value; only the log hears of the failure.
 *     if (err instanceof RefreshError) console.warn(`refresh failed, stale value kept: ${String(err.cause)}`)
 *     else console.warn(err.message)
 *   },
 * })
 * ```
 */
export class RefreshError extends StorageError {
  override name = 'RefreshError'
  override readonly code: string = 'E_REFRESH'
}

/** `[tiercache] [file] cannot write "video_42": EACCES`: the key is shortened so logs stay readable. */
export function describeFailure(
  tier: string,
  action: string,
  key: string | undefined,
  cause: unknown,
): string {
  const shown =
    key === undefined ? '' : ` ${JSON.stringify(key.length > 80 ? `${key.slice(0, 77)}...` : key)}`
  const reason =
    cause instanceof Error
      ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
      : String(cause)
  return `[tiercache] [${tier}] cannot ${action}${shown}: ${reason}`
}

/**
 * Whether `err` is a StorageError from any copy of this module.
 *
 * @example
 * ```ts
 * import { Cache, isStorageError } from 'tiercache'
 *
 * const cache = new Cache()
 * try {
 *   await cache.get('report')
 * } catch (err) {
 *   // True for StorageError, SerializationError, PolicyError and ClockError, from either copy of the library.
 *   if (!isStorageError(err)) throw err
 *   console.warn(`the ${err.tier} tier failed: serving without the cache`)
 * }
 * ```
 */
export function isStorageError(err: unknown): err is StorageError {
  return (
    typeof err === 'object' &&
    err !== null &&
    STORAGE_CODES.has((err as { code?: unknown }).code as string)
  )
}

const STORAGE_CODES = new Set(['E_STORAGE', 'E_SERIALIZATION', 'E_POLICY', 'E_CLOCK', 'E_REFRESH'])
