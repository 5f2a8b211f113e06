/**
 * The function a default key belongs to. withCache's keys are `[<namespace>:]<name>[:#<fingerprint>]:v<version>`
 * followed by the arguments (memoize/key-prefix.ts): the version segment is the first one that reads `v` + a
 * digit or `'`, since a namespace or name that would read so is written with a leading `'`.
 */

export interface FunctionOfKey {
  /** `namespace:name:v<version>` (with the fingerprint segment, if any): the entries of one function version. */
  id: string
  /** `namespace:name`: the function, whatever its version or source fingerprint. */
  fn: string
  /** `v2`, `v1.2.0`, `v'beta`, or `#<fingerprint>:v1` for a function keyed by its source too. */
  version: string
}

const VERSION_SEGMENT = /^v[\d']/

/** The function `key` belongs to; undefined for a key not made by withCache (no version segment). */
export function functionOfKey(key: string): FunctionOfKey | undefined {
  let start = 0
  const segments: string[] = []
  for (;;) {
    const end = key.indexOf(':', start)
    const segment = end === -1 ? key.slice(start) : key.slice(start, end)
    if (VERSION_SEGMENT.test(segment) && segments.length > 0) {
      const fingerprint = segments.at(-1)!.startsWith('#') ? segments.pop()! : undefined
      if (segments.length === 0) return undefined
      const fn = segments.join(':')
      const version = fingerprint === undefined ? segment : `${fingerprint}:${segment}`
      return { id: `${fn}:${version}`, fn, version }
    }
    segments.push(segment)
    if (end === -1 || segments.length > 3) return undefined // a prefix has at most namespace, name, fingerprint
    start = end + 1
  }
}

/**
 * Orders two versions of one function, newest first: by number when both are numbers (`v10` after `v9`,
 * `v1.2.0` after `v1.1.5`), otherwise by the newest entry written (a fingerprint or a named version says
 * nothing about order).
 */
export function newerFirst(
  a: { version: string; newestWrite: number },
  b: { version: string; newestWrite: number },
): number {
  const na = numericVersion(a.version)
  const nb = numericVersion(b.version)
  if (na && nb) {
    for (let i = 0; i < Math.max(na.length, nb.length); i++) {
      const diff = (nb[i] ?? 0) - (na[i] ?? 0)
      if (diff !== 0) return diff
    }
    return 0
  }
  return b.newestWrite - a.newestWrite
}

function numericVersion(version: string): number[] | undefined {
  const match = /^v(\d+(?:\.\d+)*)$/.exec(version)
  return match ? match[1]!.split('.').map(Number) : undefined
}
