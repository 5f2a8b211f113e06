import { createHash, hash as hashOnce } from 'node:crypto'
import objectHash from 'object-hash'
import { isPlainJsonData } from '../core/codec'
import { CacheError } from '../core/exceptions'

/**
 * Default keys: `<namespace>:<function>:v<version>:<arg>:<arg>…`, e.g. `video:getVideoMetadata:v2:abc:4`.
 *
 * Each argument becomes one token, and distinct calls get distinct keys:
 * - strings appear as themselves (`abc`), with `%` and `:` percent-escaped; a string that could be read as
 *   another type (`'1'`, `'true'`, `''`, or one starting with `'`, `#`, a digit, `-`, `+` or `.`) is prefixed
 *   with `'`, so `f(1)` → `1` but `f('1')` → `'1`;
 * - numbers, booleans, null and undefined as their text; bigints with an `n` suffix (`10n`);
 * - objects, arrays, Dates, Maps, Sets and binary data as `#` + a hash of their contents, independent of key
 *   order and insertion order. Plain data is hashed by our own canonical form (fast); anything else (class
 *   instances) by object-hash. The choice depends only on the argument, so one argument always gives one key.
 */

const ESCAPABLE = /[%:]/g
const RESERVED = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity'])
/** Canonical texts whose hash we have computed: a hit costs one Map lookup instead of a sha256 (~0.5 µs). */
const digests = new Map<string, string>()
const MAX_REMEMBERED_DIGESTS = 32_768
/**
 * Texts longer than this are never kept as memo keys (digests, call texts): a memo of 16–32 k entries of
 * arbitrary size could hold gigabytes for large arguments. Such calls pay for their key every time instead.
 */
const MAX_REMEMBERED_TEXT = 512
const MAX_DEPTH = 100

/** The text of one argument in a default key. */
export function argToken(arg: unknown): string {
  switch (typeof arg) {
    case 'string':
      return stringToken(arg)
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(arg)
    case 'bigint':
      return `${arg}n`
    case 'object':
      return arg === null ? 'null' : `#${digest(canonical(arg, 0))}`
    default:
      throw new CacheError(
        `[tiercache] cannot build a cache key from a ${typeof arg} argument; pass a key function`,
      )
  }
}

/** `prefix:token:token…` for `args`. */
export function argsKey(prefix: string, args: readonly unknown[]): string {
  if (args.length === 0) return prefix
  // join() builds one flat string; `+=` would build a rope that the Map lookup must flatten first (measured ~25% slower).
  const parts: string[] = new Array(args.length + 1)
  parts[0] = prefix
  for (let i = 0; i < args.length; i++) parts[i + 1] = argToken(args[i])
  return parts.join(':')
}

/**
 * `argsKey` for one fixed prefix, remembering the keys of calls with object arguments. Such a call is
 * looked up by its `callText` (native `JSON.stringify`, far cheaper than the canonical form and hash); only a
 * new text pays for those. The returned key string is the remembered one, whose hash V8 has cached: the
 * memory tier's lookup by it is cheap too.
 * The builder takes the call's text as its second argument (`withCache` computes it once per call).
 */
export function keyBuilder(
  prefix: string,
  maxRemembered = 16_384,
): (args: readonly unknown[], text: string | undefined) => string {
  let remembered = new Map<string, string>()
  return (args, text) => {
    if (text === undefined) return argsKey(prefix, args)
    let key = remembered.get(text)
    if (key === undefined) {
      key = argsKey(prefix, args)
      if (remembered.size >= maxRemembered) remembered = new Map() // start over: these are only shortcuts
      remembered.set(text, key)
    }
    return key
  }
}

/**
 * The text that stands for a call whose arguments hold objects: `JSON.stringify(args)`, as given (key order
 * included), when the arguments are plain JSON data (strings, finite numbers, booleans, null, plain objects and
 * arrays of them). Undefined for calls of primitives only (they need no text) and for anything else: a Date
 * and its ISO string, `undefined` and a missing property, NaN and null share a JSON text, so only for plain
 * data does equal text mean equal arguments. Used to remember keys and entries, never as a key; undefined
 * too for texts over MAX_REMEMBERED_TEXT characters, which are not worth their memory. Never throws.
 */
export function callText(args: readonly unknown[]): string | undefined {
  if (!hasObject(args) || !isPlainJsonData(args)) return undefined
  let text: string
  try {
    text = JSON.stringify(args)
  } catch {
    return undefined // a getter that throws now but not during the check: building the key will report it
  }
  return text.length > MAX_REMEMBERED_TEXT ? undefined : text
}

/** A name made safe as one key segment (a function or class name, a namespace). */
export function segment(name: string): string {
  return stringToken(name)
}

// --- Internal helpers ---

function hasObject(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++)
    if (typeof args[i] === 'object' && args[i] !== null) return true
  return false
}

function stringToken(s: string): string {
  if (isPlain(s)) return s
  const escaped = s.replace(ESCAPABLE, (ch) => (ch === '%' ? '%25' : '%3A'))
  return escaped === '' || /^[-+.\d#']/.test(escaped) || RESERVED.has(escaped)
    ? `'${escaped}`
    : escaped
}

/** Starts with a letter, `_` or `/`, holds no `:` or `%`, and is no reserved word: usable as it is. */
function isPlain(s: string): boolean {
  const first = s.charCodeAt(0)
  const leadsPlain =
    (first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95 || first === 47
  return (
    leadsPlain &&
    s.indexOf(':') === -1 &&
    s.indexOf('%') === -1 &&
    (s.length > 9 || !RESERVED.has(s))
  )
}

const sha256 =
  typeof hashOnce === 'function'
    ? (text: string) => hashOnce('sha256', text, 'base64url')
    : (text: string) => createHash('sha256').update(text).digest('base64url') // Node < 20.12

function digest(text: string): string {
  let hash = digests.get(text)
  if (hash === undefined) {
    hash = sha256(text).slice(0, 22) // 132 bits
    if (text.length > MAX_REMEMBERED_TEXT) return hash
    if (digests.size >= MAX_REMEMBERED_DIGESTS) digests.clear()
    digests.set(text, hash)
  }
  return hash
}

/** A text equal for equal data, whatever the key or insertion order; distinct across types. */
function canonical(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : `N${value}`
    case 'boolean':
      return value ? 't' : 'f'
    case 'undefined':
      return 'u'
    case 'bigint':
      return `${value}n`
    case 'object':
      break
    default:
      throw new CacheError(
        `[tiercache] cannot build a cache key from an argument holding a ${typeof value}; pass a key function`,
      )
  }
  if (value === null) return 'null'
  if (depth > MAX_DEPTH)
    throw new CacheError(
      '[tiercache] cannot build a cache key from an argument nested this deeply (or circular); pass a key function',
    )
  if (Array.isArray(value)) {
    let text = '['
    for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + canonical(value[i], depth + 1)
    return text + ']'
  }
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value).sort()
    let text = '{'
    for (const key of keys) {
      const item = (value as Record<string, unknown>)[key]
      if (item !== undefined) text += JSON.stringify(key) + ':' + canonical(item, depth + 1) + ','
    }
    return text + '}'
  }
  if (value instanceof Date) return `D${value.getTime()}`
  if (value instanceof Map)
    return `M{${sortedTexts([...value].map(([k, v]) => canonical(k, depth + 1) + '=>' + canonical(v, depth + 1)))}}`
  if (value instanceof Set)
    return `S{${sortedTexts([...value].map((item) => canonical(item, depth + 1)))}}`
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    return `B${value.constructor.name}:${bytes.toString('base64')}`
  }
  return classInstanceText(value as object, depth)
}

/**
 * A class instance: by its toJSON when it has one (URL, Decimal…), else by object-hash over its enumerable
 * own properties (object-hash includes the constructor name). An instance with none (its state in `#private`
 * fields, a Promise, a WeakMap) would give every instance one key, so it is refused.
 */
function classInstanceText(value: object, depth: number): string {
  const name = value.constructor?.name ?? 'Object'
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return `T${name}:${canonical(toJSON.call(value), depth + 1)}`
  if (Object.keys(value).length === 0) {
    throw new CacheError(
      `[tiercache] cannot build a cache key from a ${name} argument (no enumerable state); pass a key function`,
    )
  }
  try {
    return `O${objectHash(value, { unorderedArrays: false, unorderedSets: true, unorderedObjects: true })}`
  } catch (err) {
    throw new CacheError(
      `[tiercache] cannot build a cache key from a ${name} argument; pass a key function`,
      { cause: err },
    )
  }
}

function sortedTexts(texts: string[]): string {
  return texts.sort().join(',')
}
