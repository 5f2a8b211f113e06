import { segment, sha256 } from './key'

/**
 * The prefix of default keys: `[<namespace>:]<name>[:#<fingerprint>]:v<version>`, built so that no two
 * combinations of namespace, name, fingerprint, version and arguments give one key:
 * - the version segment always reads `v` + a digit or `'` (`v2`, `v1.2.0`; `version: 'beta'` → `v'beta`),
 *   and a namespace or name that would read so gets a leading `'` (`v1` → `'v1`): the first such segment
 *   ends the prefix;
 * - a fingerprint segment starts with `#`, which a name never does (names starting with `#` get a `'`);
 * - with a namespace there is always a name segment: an anonymous function's name is the empty string, `'`.
 */
export function keyPrefix(parts: {
  namespace?: string
  name: string
  version?: string | number
  fingerprint?: string
}): string {
  const { namespace, name, version, fingerprint } = parts
  const segments = namespace === undefined ? [] : [nameSegment(namespace)]
  segments.push(nameSegment(name))
  if (fingerprint !== undefined) segments.push(`#${fingerprint}`)
  segments.push(versionSegment(version ?? 1))
  return segments.join(':')
}

/**
 * The name of a decorated method: `Class.method`, or `Class.static.method` for a static one. A `.` or `\`
 * inside the class or method name is escaped with `\`, so no method name can pose as a static one.
 */
export function methodName(className: string, method: string, isStatic: boolean): string {
  return `${escapeDots(className)}.${isStatic ? 'static.' : ''}${escapeDots(method)}`
}

/** 12 base64url characters (72 bits) of a SHA-256 of a function's source: any change to it moves its keys. */
export function sourceFingerprint(source: string): string {
  return sha256(source).slice(0, 12)
}

// --- Internal helpers ---

const LOOKS_LIKE_VERSION = /^v[\d']/

function nameSegment(name: string): string {
  const token = segment(name)
  return LOOKS_LIKE_VERSION.test(token) ? `'${token}` : token
}

function versionSegment(version: string | number): string {
  const text = String(version).replace(/[%:]/g, (ch) => (ch === '%' ? '%25' : '%3A'))
  return /^\d/.test(text) ? `v${text}` : `v'${text}`
}

function escapeDots(name: string): string {
  return name.replace(/[\\.]/g, (ch) => `\\${ch}`)
}
