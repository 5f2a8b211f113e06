import { SerializationError } from './exceptions'

/**
 * Turns values into JSON text and back, keeping the types JSON loses: Date, Buffer and typed arrays, Map, Set,
 * BigInt, undefined and non-finite numbers. Plain JSON data (the common case) takes a fast path: one walk to
 * prove no tag is needed, then native `JSON.stringify` / `JSON.parse` with no replacer or reviver.
 *
 * Tagged text is wrapped as `{"$t":"~","v":…}`; inside it a tagged value is `{"$t":"<type>","v":…}`. A user
 * object that itself has a `$t` key is tagged as `Object`, so no user data can be mistaken for a tag.
 */

const TAG = '$t'
const TAGGED_ROOT = '~'
/** Deeper than this, the fast walk hands over to the replacer path, which also reports cycles properly. */
const MAX_FAST_DEPTH = 256

/** Encodes `value` as JSON text. Throws SerializationError (no key set) for functions, symbols and cycles. */
export function encode(value: unknown): string {
  let needsTags: boolean
  try {
    needsTags = scan(value, 0)
  } catch (err) {
    if (err instanceof SerializationError) throw err
    needsTags = true // too deep for the fast walk: let the replacer path decide
  }
  try {
    if (!needsTags) return JSON.stringify(value)
    return `{"${TAG}":"${TAGGED_ROOT}","v":${JSON.stringify(value, tagReplacer)}}`
  } catch (err) {
    if (err instanceof SerializationError) throw err
    throw new SerializationError(`[tiercache] value cannot be stored: ${(err as Error).message}`, { cause: err })
  }
}

/** Decodes text made by `encode`. Throws on text that is not JSON (callers treat that as a corrupt entry). */
export function decode(text: string): unknown {
  return fromParsed(JSON.parse(text))
}

/** The value for `parsed`, the result of `JSON.parse` over text made by `encode` (or embedded in a larger document). */
export function fromParsed(parsed: unknown): unknown {
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && (parsed as Record<string, unknown>)[TAG] === TAGGED_ROOT) {
    return revive((parsed as { v: unknown }).v)
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
    for (let i = 0; i < value.length; i++) if (scan(value[i], depth + 1)) return true
    return false
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return true // Date, Map, Buffer, class instances: let the replacer look
  for (const key in value) {
    if (key === TAG) return true
    if (scan((value as Record<string, unknown>)[key], depth + 1)) return true
  }
  return false
}

function unstorable(what: string): SerializationError {
  return new SerializationError(`[tiercache] value cannot be stored: it contains a ${what}`)
}

function tagReplacer(this: Record<string, unknown>, key: string, converted: unknown): unknown {
  const raw = this[key] // before toJSON: a Date or Buffer as itself, not as its JSON form
  switch (typeof raw) {
    case 'function':
    case 'symbol':
      throw unstorable(typeof raw)
    case 'bigint':
      return { [TAG]: 'BigInt', v: raw.toString() }
    case 'undefined':
      return { [TAG]: 'undefined' }
    case 'number':
      return Number.isFinite(raw) ? raw : { [TAG]: 'Number', v: String(raw) }
    case 'object':
      if (raw === null) return null
      if (raw instanceof Date) return { [TAG]: 'Date', v: Number.isNaN(raw.getTime()) ? null : raw.getTime() }
      if (ArrayBuffer.isView(raw)) return tagBytes(raw)
      if (raw instanceof Map) return { [TAG]: 'Map', v: [...raw] }
      if (raw instanceof Set) return { [TAG]: 'Set', v: [...raw] }
      // Entries, not a copy: a copy would still have a `$t` key and be wrapped again without end.
      if (!Array.isArray(raw) && Object.prototype.hasOwnProperty.call(raw, TAG)) return { [TAG]: 'Object', v: Object.entries(raw) }
      return converted
    default:
      return converted
  }
}

function tagBytes(view: ArrayBufferView): unknown {
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength)
  const type = Buffer.isBuffer(view) ? 'Buffer' : view.constructor.name
  return { [TAG]: type, v: bytes.toString('base64') }
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

function revive(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node
  if (Array.isArray(node)) return node.map(revive)
  const record = node as Record<string, unknown>
  const tag = record[TAG]
  if (tag === undefined) {
    for (const key of Object.keys(record)) record[key] = revive(record[key])
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
      return new Map((v as [unknown, unknown][]).map(([k, val]) => [revive(k), revive(val)]))
    case 'Set':
      return new Set((v as unknown[]).map(revive))
    case 'Object':
      return Object.fromEntries((v as [string, unknown][]).map(([k, val]) => [k, revive(val)]))
    default: {
      const make = TYPED_ARRAYS[tag as string]
      if (make) return make(Buffer.from(v as string, 'base64'))
      throw new SyntaxError(`unknown tag ${String(tag)}`)
    }
  }
}
