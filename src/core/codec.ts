import { revive } from './codec-revive'
import { MAX_VALUE_BYTES, checkSize } from './codec-limits'
import { TAG, TAGGED_ROOT } from './codec-tags'
import { toTagged, unstorable } from './codec-tagging'
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
