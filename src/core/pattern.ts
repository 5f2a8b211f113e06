/**
 * What `clear()` accepts: a glob with `*` and `?`, a RegExp, or an exact key (a glob without wildcards).
 *
 * @example
 * ```ts
 * import { Cache } from 'tiercache'
 *
 * const cache = new Cache()
 * await cache.clear('video_abc_*') // a glob: `*` is any run of characters, `?` one character
 * await cache.clear(/^video_abc_(meta|analysis)$/) // a RegExp
 * await cache.clear('video_abc_meta') // no wildcard: exactly that key
 * ```
 */
export type KeyPattern = string | RegExp

/**
 * A compiled pattern. `exact` is set when the pattern names one key, so callers can delete instead of scanning.
 *
 * @example
 * ```ts
 * import { compilePattern, type KeyMatcher } from 'tiercache'
 *
 * const matcher: KeyMatcher = compilePattern('v2:video:abc:*')
 * const keys = ['v2:video:abc:meta', 'v2:video:xyz:meta'].filter(matcher) // ['v2:video:abc:meta']
 * ```
 */
export interface KeyMatcher {
  (key: string): boolean
  /** The one key this pattern matches, when it has no wildcards. */
  readonly exact?: string
  /** A literal prefix every match starts with ('' if none): lets a tier skip most candidates cheaply. */
  readonly prefix: string
  /**
   * The glob this matcher was compiled from (string patterns only), for a tier that can match on its server
   * (Redis `SCAN MATCH`). The predicate stays the judge: a server-side match only narrows the candidates.
   */
  readonly glob?: string
}

/**
 * Compiles a pattern once into a predicate over keys.
 *
 * @example
 * ```ts
 * import { compilePattern } from 'tiercache'
 *
 * const matches = compilePattern('video_abc_*')
 * matches('video_abc_analysis') // true
 * matches('video_abd_analysis') // false
 * matches.prefix // 'video_abc_'
 * compilePattern('video_abc_analysis').exact // 'video_abc_analysis': no wildcard, one key
 * ```
 */
export function compilePattern(pattern: KeyPattern): KeyMatcher {
  if (pattern instanceof RegExp) {
    // A global or sticky RegExp keeps state between test() calls; a copy without those flags does not.
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
    return Object.assign((key: string) => re.test(key), { prefix: '' })
  }
  if (typeof pattern !== 'string' || pattern === '') {
    throw new TypeError(`pattern must be a non-empty string or a RegExp (got ${String(pattern)})`)
  }
  const firstWildcard = pattern.search(/[*?]/)
  if (firstWildcard === -1) {
    return Object.assign((key: string) => key === pattern, {
      exact: pattern,
      prefix: pattern,
      glob: pattern,
    })
  }
  // Per code point and with the `u` flag, so that `?` matches one emoji rather than half of its surrogate pair.
  // In `u` mode only syntax characters may be escaped (`\-` is an error there), hence the narrower class.
  const source = [...pattern]
    .map((ch) =>
      ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
    )
    .join('')
  const re = new RegExp(`^${source}$`, 'u')
  return Object.assign((key: string) => re.test(key), {
    prefix: pattern.slice(0, firstWildcard),
    glob: pattern,
  })
}
