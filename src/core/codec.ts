import { revive } from './codec-revive'
import { MAX_DEPTH, MAX_VALUE_BYTES, checkSize } from './codec-limits'
import { HOLE_TAG, KEPT_BUILT_INS, TAG, TAGGED_ROOT, VIEW_TAGS } from './codec-tags'
import { SerializationError } from './exceptions'

export {
  ATTACHMENT_LISTING_BYTES,
  ENTRY_HEADER_ROOM,
  MAX_DEPTH,
  MAX_ENTRY_BYTES,
  MAX_VALUE_BYTES,
} from './codec-limits'

/**
 * Turns values into JSON text and back, keeping the types JSON loses: Date, Buffer and typed arrays,
 * ArrayBuffer, Map, Set, BigInt, undefined, -0 and non-finite numbers, holes in arrays, null-prototype objects.
 * As with JSON and structuredClone, an object is its own enumerable string-keyed properties: symbol-keyed and
 * non-enumerable ones are left out (checking for them would cost the fast path a third of its speed).
 * What it cannot give back as it was (class instances without toJSON, subclasses of the types above,
 * functions, cycles, values too deep or too large to read back) it refuses with a
 * SerializationError that says why, rather than store a lookalike. Plain JSON data (the common case) takes a fast path: one walk to
 * prove no tag is needed, then native `JSON.stringify` / `JSON.parse` with no replacer or reviver.
 *
 * Tagged text is wrapped as `{"$t":"~","v":…}`; inside it a tagged value is `{"$t":"<type>","v":…}`. A user
 * object that itself has a `$t` key is tagged as `Object`, so no user data can be mistaken for a tag. Large
 * byte arrays may be set apart as attachments: `{"$t":"Buffer","a":0}` names the first of them.
 */

/** Deeper than this, the fast walk hands over to the tagging walk, which also reports cycles. */
const MAX_FAST_DEPTH = 256

/** Encoded value: JSON text, plus the raw bytes of large binary data that the text refers to by index. */
export interface EncodedParts {
  text: string
  /** Byte arrays of at least `attachFrom` bytes, stored beside the text instead of as base64 inside it. */
  attachments: Uint8Array[]
}

/** Binary data this large or larger is attached rather than inlined (base64 costs a third more bytes and two copies). */
export const ATTACH_FROM_BYTES = 4096

/**
 * Encodes `value` as JSON text. Throws SerializationError (no key set) for what it cannot give back as it was.
 *
 * @example
 * ```ts
 * import { decode, encode } from 'tiercache'
 *
 * const text = encode({ at: new Date(0), bytes: Buffer.from('hi'), ids: new Set([1, 2]) })
 * const back = decode(text) as { at: Date; bytes: Buffer; ids: Set<number> }
 * back.at instanceof Date // true: types and bytes come back as they were
 * ```
 */
export function encode(value: unknown): string {
  return encodeParts(value, Infinity).text
}

/** Encodes `value` as JSON text with large byte arrays set apart as attachments (see EncodedParts). */
export function encodeParts(
  value: unknown,
  attachFrom = ATTACH_FROM_BYTES,
  maxBytes = MAX_VALUE_BYTES,
): EncodedParts {
  const attachments: Uint8Array[] = []
  let needsTags: boolean
  try {
    needsTags = scan(value, 0)
  } catch (err) {
    if (err instanceof SerializationError) throw err
    needsTags = true // too deep for the fast walk: the tagging walk decides
  }
  try {
    if (!needsTags) return checkSize({ text: JSON.stringify(value), attachments }, maxBytes)
    const tagged = toTagged(value, { attachFrom, attachments, depth: 0 })
    const text = `{"${TAG}":"${TAGGED_ROOT}","v":${JSON.stringify(tagged)}}`
    return checkSize({ text, attachments }, maxBytes)
  } catch (err) {
    if (err instanceof SerializationError) throw err
    throw new SerializationError(`[tiercache] value cannot be stored: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/**
 * True when `value` is plain JSON data that `JSON.stringify` writes without loss (no Date, Map, bytes, bigint,
 * undefined, NaN, class instance…). Never throws: anything that cannot be stored at all is simply not plain.
 */
export function isPlainJsonData(value: unknown): boolean {
  try {
    return !scan(value, 0)
  } catch {
    return false
  }
}

/**
 * Decodes text made by `encode`. Throws on text that is not JSON (callers treat that as a corrupt entry).
 *
 * @example
 * ```ts
 * import { decode, encode } from 'tiercache'
 *
 * const value = decode(encode(new Map([['a', 1n]]))) // Map { 'a' => 1n }
 * ```
 */
export function decode(text: string): unknown {
  return fromParsed(JSON.parse(text))
}

/**
 * The value for `parsed`, the result of `JSON.parse` over text made by `encode`/`encodeParts` (or embedded in
 * a larger document), with the attachments that text refers to.
 */
export function fromParsed(parsed: unknown, attachments: readonly Uint8Array[] = []): unknown {
  if (
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    (parsed as Record<string, unknown>)[TAG] === TAGGED_ROOT
  ) {
    return revive((parsed as { v: unknown }).v, attachments)
  }
  return parsed
}

// --- Internal helpers ---

/** True when `value` holds anything plain JSON would lose; throws for what cannot be stored at all. */
function scan(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return false
    case 'number':
      return !Number.isFinite(value) || (value === 0 && 1 / value < 0) // -0 too: JSON writes it as 0
    case 'object':
      break
    case 'function':
    case 'symbol':
      throw unstorable(typeof value)
    default:
      return true // bigint, undefined
  }
  if (value === null) return false
  if (depth > MAX_FAST_DEPTH) throw new RangeError('deep')
  if (Array.isArray(value)) {
    // An Array subclass or an array with its own toJSON: JSON.stringify may write something other than its
    // elements (and equal texts would then not mean equal arrays); the tagging walk looks.
    if (
      Object.getPrototypeOf(value) !== Array.prototype ||
      typeof (value as { toJSON?: unknown }).toJSON === 'function'
    )
      return true
    for (let i = 0; i < value.length; i++) if (scan(value[i], depth + 1)) return true
    return false
  }
  // Date, Map, Buffer, class instances, null-prototype objects: the tagging walk looks.
  if (Object.getPrototypeOf(value) !== Object.prototype) return true
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true // stored as JSON.stringify would: via toJSON
  for (const key in value) {
    if (key === TAG) return true
    if (scan((value as Record<string, unknown>)[key], depth + 1)) return true
  }
  return false
}

function unstorable(what: string): SerializationError {
  return new SerializationError(`[tiercache] value cannot be stored: it contains a ${what}`)
}

interface TagContext {
  attachFrom: number
  attachments: Uint8Array[]
  depth: number
}

/**
 * A copy of `value` in which everything JSON would lose is a tag object, so that native JSON.stringify
 * (no replacer) can write it. A replacer would not do: JSON.stringify calls `toJSON` before the replacer
 * sees a value, and Buffer's toJSON turns 1 MiB into an array of a million numbers.
 */
function toTagged(value: unknown, ctx: TagContext): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value) && !(value === 0 && 1 / value < 0)) return value
      return { [TAG]: 'Number', v: value === 0 ? '-0' : String(value) }
    case 'bigint':
      return { [TAG]: 'BigInt', v: value.toString() }
    case 'undefined':
      return { [TAG]: 'undefined' }
    case 'object':
      break
    default:
      throw unstorable(typeof value)
  }
  if (value === null) return null
  if (ctx.depth >= MAX_DEPTH)
    throw new SerializationError(
      `[tiercache] value cannot be stored: it is circular or nested deeper than ${MAX_DEPTH} levels`,
    )
  ctx.depth++
  try {
    return tagObject(value, ctx)
  } finally {
    ctx.depth--
  }
}

function tagObject(value: object, ctx: TagContext): unknown {
  const proto = Object.getPrototypeOf(value) as object | null
  if (Array.isArray(value)) {
    const json = (value as { toJSON?: unknown }).toJSON
    if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
    if (proto !== Array.prototype) throw subclassOf(value, Array)
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      out[i] = item === undefined && !(i in value) ? { [TAG]: HOLE_TAG } : toTagged(item, ctx)
    }
    return out
  }
  if (proto === Object.prototype || proto === null) {
    const json = (value as { toJSON?: unknown }).toJSON
    if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
    const entries = Object.keys(value).map(
      (key) => [key, toTagged((value as Record<string, unknown>)[key], ctx)] as const,
    )
    if (proto === null) return { [TAG]: 'NullObject', v: entries }
    // Entries, not an object: user data with a `$t` key must not read as a tag.
    if (Object.prototype.hasOwnProperty.call(value, TAG)) return { [TAG]: 'Object', v: entries }
    return Object.fromEntries(entries)
  }
  const viewTag = VIEW_TAGS.get(proto!)
  if (viewTag !== undefined) return tagBytes(viewTag, value as ArrayBufferView, ctx)
  if (proto === Date.prototype) {
    const time = (value as Date).getTime()
    return { [TAG]: 'Date', v: Number.isNaN(time) ? null : time }
  }
  if (proto === Map.prototype)
    return {
      [TAG]: 'Map',
      v: Array.from(value as Map<unknown, unknown>, ([k, v]) => [
        toTagged(k, ctx),
        toTagged(v, ctx),
      ]),
    }
  if (proto === Set.prototype)
    return { [TAG]: 'Set', v: Array.from(value as Set<unknown>, (item) => toTagged(item, ctx)) }
  if (proto === ArrayBuffer.prototype || proto === SharedArrayBuffer.prototype)
    return tagBuffer(value as ArrayBufferLike, ctx)
  for (const type of KEPT_BUILT_INS) if (value instanceof type) throw subclassOf(value, type)
  const json = (value as { toJSON?: unknown }).toJSON
  if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
  throw new SerializationError(
    `[tiercache] value cannot be stored: it contains an instance of ${className(value)}, which would come back as a plain object; store plain data, or give the class a toJSON method`,
  )
}

function subclassOf(
  value: object,
  type: abstract new (...args: never[]) => object,
): SerializationError {
  const base = type.name || 'TypedArray'
  return new SerializationError(
    `[tiercache] value cannot be stored: it contains a ${className(value)}, a subclass of ${base} that would come back as a plain ${base}`,
  )
}

function className(value: object): string {
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } }).constructor
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'an anonymous class'
}

function tagBytes(type: string, view: ArrayBufferView, ctx: TagContext): unknown {
  return bytesTag(type, new Uint8Array(view.buffer, view.byteOffset, view.byteLength), ctx)
}

function tagBuffer(buffer: ArrayBufferLike, ctx: TagContext): unknown {
  const type = buffer instanceof ArrayBuffer ? 'ArrayBuffer' : 'SharedArrayBuffer'
  const tag = bytesTag(type, new Uint8Array(buffer), ctx) as Record<string, unknown>
  const sizing = buffer as unknown as {
    resizable?: boolean
    growable?: boolean
    maxByteLength: number
  }
  if (sizing.resizable || sizing.growable) tag.m = sizing.maxByteLength
  return tag
}

function bytesTag(type: string, bytes: Uint8Array, ctx: TagContext): unknown {
  if (bytes.byteLength >= ctx.attachFrom) {
    ctx.attachments.push(bytes)
    return { [TAG]: type, a: ctx.attachments.length - 1 }
  }
  return {
    [TAG]: type,
    v: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  }
}
