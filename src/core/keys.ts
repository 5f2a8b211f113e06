import { InvalidKeyError } from './exceptions'

/** Whether `key` can be used as a cache key: a non-empty string. */
export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && key !== ''
}

/** The error for a key that cannot be used. */
export function invalidKey(key: unknown): InvalidKeyError {
  return new InvalidKeyError(
    `[tiercache] a key must be a non-empty string (got ${key === '' ? 'an empty string' : typeof key})`,
  )
}

/** Throws InvalidKeyError unless `key` is a non-empty string. */
export function checkKey(key: unknown): asserts key is string {
  if (!isValidKey(key)) throw invalidKey(key)
}

/** A key as a message shows it: at most 80 characters, so logs stay readable. */
export function shortenKey(key: string): string {
  return key.length > 80 ? `${key.slice(0, 77)}...` : key
}
