import { SerializationError } from './exceptions'

/**
 * Turns values into JSON text and back, keeping the types JSON loses: Date, Buffer and typed arrays, Map, Set,
 * BigInt, undefined and non-finite numbers. Plain JSON data (the common case) takes a fast path: one walk to
 * prove no tag is needed, then native `JSON.stringify` / `JSON.parse` with no replacer or reviver.
 *
 * Tagged text is wrapped as `{"$t":"~","v":…}`; inside it a tagged value is `{"$t":"<type>","v":…}`. A user
 * object that itself has a `$t` key is tagged as `Object`, so no user data can be mistaken for a tag. Large
 * byte arrays may be set apart as attachments: `{"$t":"Buffer","a":0}` names the first of them.
 */

const TAG = '$t'
const TAGGED_ROOT = '~'
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

/** Encodes `value` as JSON text. Throws SerializationError (no key set) for functions, symbols and cycles. */
export function encode(value: unknown): string {
  return encodeParts(value, Infinity).text
}

/** Encodes `value` as JSON text with large byte arrays set apart as attachments (see EncodedParts). */
export function encodeParts(value: unknown, attachFrom = ATTACH_FROM_BYTES): EncodedParts {
  const attachments: Uint8Array[] = []
  let needsTags: boolean
  try {
    needsTags = scan(value, 0)
  } catch (err) {
    if (err instanceof SerializationError) throw err
    needsTags = true // too deep for the fast walk: the tagging walk decides
  }
  try {
    if (!needsTags) return { text: JSON.stringify(value), attachments }
    const tagged = toTagged(value, { attachFrom, attachments, depth: 0 })
    return { text: `{"${TAG}":"${TAGGED_ROOT}","v":${JSON.stringify(tagged)}}`, attachments }
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

/** Decodes text made by `encode`. Throws on text that is not JSON (callers treat that as a corrupt entry). */
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
      return !Number.isFinite(value)
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
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return true // Date, Map, Buffer, class instances: the tagging walk looks
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

/** Deeper than this is taken for a cycle (the tagging walk keeps no set of visited objects). */
const MAX_DEPTH = 2000

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
      return Number.isFinite(value) ? value : { [TAG]: 'Number', v: String(value) }
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
      '[tiercache] value cannot be stored: it is circular or nested too deeply',
    )
  ctx.depth++
  try {
    if (Array.isArray(value)) {
      const json = (value as { toJSON?: unknown }).toJSON
      if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
      return Array.from(value, (item) => toTagged(item, ctx)) // a plain array, whatever the subclass
    }
    if (value instanceof Date)
      return { [TAG]: 'Date', v: Number.isNaN(value.getTime()) ? null : value.getTime() }
    if (ArrayBuffer.isView(value)) return tagBytes(value, ctx)
    if (value instanceof Map)
      return { [TAG]: 'Map', v: [...value].map(([k, v]) => [toTagged(k, ctx), toTagged(v, ctx)]) }
    if (value instanceof Set)
      return { [TAG]: 'Set', v: [...value].map((item) => toTagged(item, ctx)) }
    const json = (value as { toJSON?: unknown }).toJSON
    if (typeof json === 'function') return toTagged(json.call(value), ctx) // as JSON.stringify would
    const entries = Object.keys(value).map(
      (key) => [key, toTagged((value as Record<string, unknown>)[key], ctx)] as const,
    )
    // Entries, not an object: user data with a `$t` key must not read as a tag.
    if (Object.prototype.hasOwnProperty.call(value, TAG)) return { [TAG]: 'Object', v: entries }
    return Object.fromEntries(entries)
  } finally {
    ctx.depth--
  }
}

function tagBytes(view: ArrayBufferView, ctx: TagContext): unknown {
  const type = Buffer.isBuffer(view) ? 'Buffer' : view.constructor.name
  if (view.byteLength >= ctx.attachFrom) {
    ctx.attachments.push(new Uint8Array(view.buffer, view.byteOffset, view.byteLength))
    return { [TAG]: type, a: ctx.attachments.length - 1 }
  }
  return {
    [TAG]: type,
    v: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64'),
  }
}

const TYPED_ARRAYS: Record<string, (bytes: Buffer) => unknown> = {
  Buffer: (b) => b,
  // A copy, not a view: a decoded Buffer may be a slice of Node's shared pool, and `new Float32Array(u8.buffer)` would read all of it.
  Uint8Array: (b) => new Uint8Array(copy(b)),
  Uint8ClampedArray: (b) => new Uint8ClampedArray(copy(b)),
  Int8Array: (b) => new Int8Array(copy(b)),
  Uint16Array: (b) => new Uint16Array(copy(b)),
  Int16Array: (b) => new Int16Array(copy(b)),
  Uint32Array: (b) => new Uint32Array(copy(b)),
  Int32Array: (b) => new Int32Array(copy(b)),
  Float32Array: (b) => new Float32Array(copy(b)),
  Float64Array: (b) => new Float64Array(copy(b)),
  BigInt64Array: (b) => new BigInt64Array(copy(b)),
  BigUint64Array: (b) => new BigUint64Array(copy(b)),
  DataView: (b) => new DataView(copy(b)),
}

/** An aligned ArrayBuffer of its own: wider typed arrays need their offset to be a multiple of their element size. */
function copy(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

function revive(node: unknown, attachments: readonly Uint8Array[]): unknown {
  if (node === null || typeof node !== 'object') return node
  if (Array.isArray(node)) return node.map((item) => revive(item, attachments))
  const record = node as Record<string, unknown>
  const tag = record[TAG]
  if (tag === undefined) {
    for (const key of Object.keys(record)) record[key] = revive(record[key], attachments)
    return record
  }
  const v = record.v
  switch (tag) {
    case 'Date':
      return new Date(v === null ? NaN : (v as number))
    case 'BigInt':
      return BigInt(v as string)
    case 'undefined':
      return undefined
    case 'Number':
      return Number(v)
    case 'Map':
      return new Map(
        (v as [unknown, unknown][]).map(([k, val]) => [
          revive(k, attachments),
          revive(val, attachments),
        ]),
      )
    case 'Set':
      return new Set((v as unknown[]).map((item) => revive(item, attachments)))
    case 'Object':
      return Object.fromEntries(
        (v as [string, unknown][]).map(([k, val]) => [k, revive(val, attachments)]),
      )
    default: {
      const make = TYPED_ARRAYS[tag as string]
      if (!make) throw new SyntaxError(`unknown tag ${String(tag)}`)
      if (typeof record.a !== 'number') return make(Buffer.from(v as string, 'base64'))
      const attached = attachments[record.a]
      if (attached === undefined) throw new SyntaxError(`missing attachment ${record.a}`)
      return make(Buffer.from(attached.buffer, attached.byteOffset, attached.byteLength))
    }
  }
}
