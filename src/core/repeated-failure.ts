import type { StorageError } from './exceptions'

/**
 * A tier that knows it is in an outage (Redis: failures since the last success) marks every failure after the
 * first as a repeat. `Cache` counts repeats in `stats().errors` but hands `onError` only the first failure of
 * an outage, so a server that is down for a minute is one report, not one per call. A property under a
 * global symbol rather than a class, so that the mark survives a second copy of the library (ESM and CJS).
 */
const REPEATED = Symbol.for('tiercache.repeatedFailure')

export function markRepeated<E extends StorageError>(error: E): E {
  ;(error as unknown as Record<symbol, boolean>)[REPEATED] = true
  return error
}

export function isRepeatedFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[REPEATED] === true
  )
}

/** `onError` without the repeats (see above). */
export function withoutRepeats(
  onError: (error: StorageError) => void,
): (error: StorageError) => void {
  return (error) => {
    if (!isRepeatedFailure(error)) onError(error)
  }
}
