import type { StorageError } from './exceptions'

/** The default `onError`: one warning per cache, so a full disk does not flood the log. */
export function warnOnce(): (error: StorageError) => void {
  let warned = false
  return (error) => {
    if (warned) return
    warned = true
    // eslint-disable-next-line no-console -- the default onError: one warning per cache is its whole job
    console.warn(`${error.message} (further cache errors are not logged; pass onError to see them)`)
  }
}
