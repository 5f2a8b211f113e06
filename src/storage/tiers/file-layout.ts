import { createHash } from 'node:crypto'

/**
 * How keys become file names, and back. No key text reaches a path unescaped: every character outside
 * [a-z0-9_-] is escaped, so `/`, `\`, `.`, NUL and drive letters cannot form a path. Upper-case letters are
 * escaped too (`A` → `^a`), so keys that differ only in case stay distinct on case-insensitive file systems.
 * The escaping is reversible, so one `readdir` tells which keys a folder holds (clear(pattern) needs no reads).
 * Keys too long for a file name, or not well-formed UTF-16, get a hashed name instead; the real key is
 * always stored inside the file and checked on read.
 */

export const ENTRY_SUFFIX = '.json'
/** In-progress writes live here; never ending in `.json`, never mistaken for entries. */
export const TMP_DIR = '.tmp'
/** Tag counters live here (see file-tags.ts); never ending in `.json`, never mistaken for entries. */
export const TAGS_DIR = '.tags'
/** Fleet leases (see file-lease.ts); never ending in `.json`, never counted as entries. */
export const LEASE_DIR = '.leases'
/** Marks the folder as a cache this library made (Cache Directory Tagging Specification, https://bford.info/cachedir/). */
export const TAG_FILE = 'CACHEDIR.TAG'
/** The tag's first line, as the specification fixes it. */
export const TAG_SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55'
/** How every entry file this library writes begins: format 1 (0.1.0 on) or format 2 (stale windows). */
export const ENTRY_FILE_STARTS: readonly string[] = ['{"v":1,"key":', '{"v":2,"key":']
/** Temp file names: `<pid>-<8 hex digits>-<counter>`. The sweep removes nothing else from the temp folder. */
const TEMP_NAME = /^[0-9]+-[0-9a-f]{8}-[0-9]+$/
/** Hashed names start with this; an escaped name never does ('=' itself is always escaped). */
const HASHED_PREFIX = '='
/** NAME_MAX is 255 bytes on common file systems. */
const MAX_NAME_LENGTH = 255 - ENTRY_SUFFIX.length
/** Entries that never expire carry this mtime (2100-01-01); see `expiryToMtime`. */
const NEVER_MTIME_SECONDS = 4_102_444_800

const PLAIN_NAME = /^[a-z0-9_-]*$/
const NEEDS_ESCAPE = /[^a-z0-9_-]/gu // per code point, so a surrogate pair escapes as one character
const ESCAPED_NAME = /^(?:[a-z0-9_-]|\^[a-z]|@|%[0-9A-F]{2})+$/

/** The file name (with suffix) for `key`. */
export function keyToFileName(key: string): string {
  const escaped = PLAIN_NAME.test(key)
    ? key
    : key.isWellFormed()
      ? key.replace(NEEDS_ESCAPE, escapeChar)
      : undefined
  if (escaped !== undefined && escaped.length > 0 && escaped.length <= MAX_NAME_LENGTH)
    return escaped + ENTRY_SUFFIX
  return HASHED_PREFIX + createHash('sha256').update(key).digest('hex') + ENTRY_SUFFIX
}

/**
 * The key a file name stands for; `null` for a hashed name (the key is only inside the file), `undefined`
 * for a name this tier never writes (a foreign or non-canonical file).
 */
export function fileNameToKey(name: string): string | null | undefined {
  if (!name.endsWith(ENTRY_SUFFIX)) return undefined
  const stem = name.slice(0, -ENTRY_SUFFIX.length)
  if (stem.startsWith(HASHED_PREFIX)) return /^=[0-9a-f]{64}$/.test(stem) ? null : undefined
  // Canonical check here too: a plain stem past the length limit belongs to a key whose name is a hash
  // (unreachable where NAME_MAX is 255 bytes, but this function must not depend on the file system).
  if (PLAIN_NAME.test(stem))
    return stem.length > 0 && keyToFileName(stem) === name ? stem : undefined
  if (!ESCAPED_NAME.test(stem)) return undefined
  let key: string
  try {
    key = decodeURIComponent(
      stem.replace(/\^([a-z])|@/g, (_m, letter?: string) => (letter ? letter.toUpperCase() : ':')),
    )
  } catch {
    return undefined // an escape that is not UTF-8
  }
  return keyToFileName(key) === name ? key : undefined // only the canonical spelling is ours
}

/**
 * The file-name prefix every key starting with `keyPrefix` has, or undefined when it cannot be told
 * (a prefix that would not escape cleanly). Escaping is per character, so prefixes map to prefixes.
 */
export function fileNamePrefix(keyPrefix: string): string | undefined {
  if (keyPrefix === '') return ''
  if (!keyPrefix.isWellFormed()) return undefined
  return keyPrefix.replace(NEEDS_ESCAPE, escapeChar)
}

/**
 * Each entry file's mtime is set to its expiry, so `prune()` can find expired entries with one `stat` per
 * file instead of a read. The expiry inside the file stays the authority on read.
 */
export function expiryToMtime(expiresAt: number): number {
  return Math.min(expiresAt / 1000, NEVER_MTIME_SECONDS)
}

/** True when an entry whose file has this mtime (ms) has expired at `now`. */
export function mtimeExpired(mtimeMs: number, now: number): boolean {
  return mtimeMs < NEVER_MTIME_SECONDS * 1000 && mtimeMs <= now
}

/** The name of the `counter`th temp file of the writer tagged `writerTag` (`<pid>-<8 hex digits>`). */
export function tempFileName(writerTag: string, counter: number): string {
  return `${writerTag}-${counter}`
}

/** Whether a name in the temp folder is one `tempFileName` gives. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name)
}

function escapeChar(ch: string): string {
  if (ch === ':') return '@'
  if (ch >= 'A' && ch <= 'Z') return `^${ch.toLowerCase()}`
  return encodeURIComponent(ch).replace(
    /[!'()*~.]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}
