// A namespace import: a named `hash` import fails to link in ESM on Node < 20.12, which lacks that export.
import * as crypto from 'node:crypto'
import { isPlainJsonData } from '../core/codec'
import { CacheError } from '../core/exceptions'

/**
 * Default keys: `<namespace>:<function>:v<version>:<arg>:<arg>…`, e.g. `video:getVideoMetadata:v2:abc:4`.
 *
 * Each argument becomes one token, and distinct calls get distinct keys:
 * - strings appear as themselves (`abc`), with `%` and `:` percent-escaped; a string that could be read as
 *   another type (`'1'`, `'true'`, `''`, or one starting with `'`, `#`, a digit, `-`, `+` or `.`) is prefixed
 *   with `'`, so `f(1)` → `1` but `f('1')` → `'1`;
 * - numbers, booleans, null and undefined as their text (`-0` apart from `0`: arguments compare by Object.is);
 *   bigints with an `n` suffix (`10n`);
 * - objects, arrays, Dates, Maps, Sets and binary data as `#` + a hash of their canonical form, independent of
 *   key order and insertion order. A class instance counts by its `toJSON()` or its `[KEY_METHOD]()`; by its
 *   enumerable state only when its class is opted in (`hashable`); otherwise it is refused, since a key cannot
 *   see `#private` fields or closures and would silently merge instances that differ there.
 */

/** A method returning the value that stands for an instance in keys: `[Symbol.for('tiercache.key')]() { … }`. */
export const KEY_METHOD = Symbol.for('tiercache.key')
/** Classes whose instances may be keyed by their enumerable own properties (the `hashInstancesOf` option). */
export type Hashable = readonly (abstract new (...args: never[]) => unknown)[]

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

/**
 * The text of one argument in a default key.
 *
 * @example
 * ```ts
 * import { argToken } from 'tiercache'
 *
 * argToken('abc') // 'abc'
 * argToken('1') // "'1": a string that reads like a number is marked, so f('1') and f(1) differ
 * argToken(1) // '1'
 * argToken({ b: 2, a: 1 }) // '#' and a hash: equal data gives one token, whatever the key order
 * ```
 */
export function argToken(arg: unknown, hashable?: Hashable): string {
  switch (typeof arg) {
    case 'string':
      return stringToken(arg)
    case 'number':
      return arg === 0 && 1 / arg < 0 ? '-0' : String(arg)
    case 'boolean':
    case 'undefined':
      return String(arg)
    case 'bigint':
      return `${arg}n`
    case 'object':
      return arg === null ? 'null' : `#${digest(canonical(arg, 0, hashable))}`
    default:
      throw new CacheError(
        `[tiercache] cannot build a cache key from a ${typeof arg} argument; pass a key function`,
      )
  }
}

/** `prefix:token:token…` for `args`. */
export function argsKey(prefix: string, args: readonly unknown[], hashable?: Hashable): string {
  if (args.length === 0) return prefix
  // join() builds one flat string; `+=` would build a rope that the Map lookup must flatten first (measured ~25% slower).
  const parts: string[] = new Array(args.length + 1)
  parts[0] = prefix
  for (let i = 0; i < args.length; i++) parts[i + 1] = argToken(args[i], hashable)
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
  hashable?: Hashable,
): (args: readonly unknown[], text: string | undefined) => string {
  let remembered = new Map<string, string>()
  return (args, text) => {
    if (text === undefined) return argsKey(prefix, args, hashable)
    let key = remembered.get(text)
    if (key === undefined) {
      key = argsKey(prefix, args, hashable)
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
 * data does equal text mean equal arguments (and only without -0, which JSON writes as 0). Used to remember keys and entries, never as a key; undefined
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
  if (text.length > MAX_REMEMBERED_TEXT) return undefined
  return text // never for a -0: isPlainJsonData refuses it, since JSON writes it as 0
}

/** A name made safe as one key segment (a function or class name, a namespace). */
export function segment(name: string): string {
  return stringToken(name)
}

/** base64url SHA-256 of `text`. */
export const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url') // Node < 20.12

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
function canonical(value: unknown, depth: number, hashable: Hashable | undefined): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (value === 0) return 1 / value < 0 ? '-0' : '0'
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
    for (let i = 0; i < value.length; i++)
      text += (i ? ',' : '') + canonical(value[i], depth + 1, hashable)
    return text + ']'
  }
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null)
    return propertiesText(value as Record<string, unknown>, depth, hashable)
  if (value instanceof Date) return `D${value.getTime()}`
  if (value instanceof Map)
    return `M{${sortedTexts([...value].map(([k, v]) => canonical(k, depth + 1, hashable) + '=>' + canonical(v, depth + 1, hashable)))}}`
  if (value instanceof Set)
    return `S{${sortedTexts([...value].map((item) => canonical(item, depth + 1, hashable)))}}`
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    return `B${value.constructor.name}:${bytes.toString('base64')}`
  }
  if (value instanceof ArrayBuffer) return `A${Buffer.from(value).toString('base64')}`
  return classInstanceText(value as object, depth, hashable)
}

/** `{"key":text,…}` over the defined enumerable own properties, in sorted key order. */
function propertiesText(
  value: Record<string, unknown>,
  depth: number,
  hashable: Hashable | undefined,
): string {
  const keys = Object.keys(value).sort()
  let text = '{'
  for (const key of keys) {
    const item = value[key]
    if (item !== undefined)
      text += JSON.stringify(key) + ':' + canonical(item, depth + 1, hashable) + ','
  }
  return text + '}'
}

/**
 * A class instance: by its toJSON (URL, Decimal…) or its `[KEY_METHOD]()`, else by its enumerable own
 * properties when its class is in `hashable`. Anything else is refused: the instance may keep state in
 * `#private` fields or closures, and hashing what is visible would give differing instances one key.
 */
function classInstanceText(value: object, depth: number, hashable: Hashable | undefined): string {
  const constructor = (value as { constructor?: unknown }).constructor
  const name = typeof constructor === 'function' && constructor.name ? constructor.name : 'Object'
  const keyMethod = (value as { [KEY_METHOD]?: unknown })[KEY_METHOD]
  if (typeof keyMethod === 'function')
    return `K${JSON.stringify(name)}:${canonical(keyMethod.call(value), depth + 1, hashable)}`
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function')
    return `T${JSON.stringify(name)}:${canonical(toJSON.call(value), depth + 1, hashable)}`
  if (hashable?.includes(constructor as Hashable[number]))
    return `O${JSON.stringify(name)}:${propertiesText(value as Record<string, unknown>, depth, hashable)}`
  throw new CacheError(
    `[tiercache] cannot build a cache key from a ${name} argument: a key cannot see its #private fields or ` +
      `closures, so instances that differ there would share a key. Pass a \`key\` function, give ${name} a ` +
      `toJSON() (or a [Symbol.for('tiercache.key')]() method) returning what identifies it, or opt in with ` +
      `\`hashInstancesOf: [${name}]\` to key it by its enumerable properties.`,
  )
}

function sortedTexts(texts: string[]): string {
  return texts.sort().join(',')
}
