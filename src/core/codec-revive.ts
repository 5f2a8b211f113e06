import { HOLE_TAG, TAG } from './codec-tags'

/**
 * Turns the parsed JSON of a tagged value back into the value. It walks without recursion, so no depth of
 * nesting, however deep and whatever is left of the caller's stack, can overflow the stack: first it lists
 * every container (array or object) in pre-order with where it sits, then finishes them in reverse order, so
 * each one's children are finished before it. Arrays and untagged objects are reused in place.
 */
export function revive(root: unknown, attachments: readonly Uint8Array[]): unknown {
  if (root === null || typeof root !== 'object') return root
  const nodes: object[] = [root]
  const parents: (Record<PropertyKey, unknown> | undefined)[] = [undefined]
  const slots: (string | number)[] = [0]
  const visit = (child: unknown, parent: Record<PropertyKey, unknown>, slot: string | number) => {
    if (child === null || typeof child !== 'object') return
    nodes.push(child)
    parents.push(parent)
    slots.push(slot)
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Record<PropertyKey, unknown>
    if (Array.isArray(node)) {
      for (let j = 0; j < node.length; j++) visit(node[j], node, j)
    } else if (node[TAG] === undefined) {
      for (const key of Object.keys(node)) visit(node[key], node, key)
    } else {
      visit(node.v, node, 'v') // the entries of a Map, Set or object: revived in place before the tag is
    }
  }
  for (let i = nodes.length - 1; i > 0; i--) {
    const node = nodes[i] as Record<PropertyKey, unknown>
    if (Array.isArray(node) || node[TAG] === undefined) continue
    const value = fromTag(node, attachments)
    const parent = parents[i]!
    if (value !== HOLE) parent[slots[i]!] = value
    else if (Array.isArray(parent)) delete parent[slots[i] as number]
    else throw new SyntaxError('a hole outside an array')
  }
  const top = root as Record<PropertyKey, unknown>
  if (Array.isArray(top) || top[TAG] === undefined) return root
  const value = fromTag(top, attachments)
  if (value === HOLE) throw new SyntaxError('a hole outside an array')
  return value
}

const HOLE = Symbol('hole')

/** The value a tag object stands for; its `v` (for Map, Set and objects) is already revived. */
function fromTag(
  record: Record<PropertyKey, unknown>,
  attachments: readonly Uint8Array[],
): unknown {
  const v = record.v
  switch (record[TAG]) {
    case 'Date':
      return new Date(v === null ? NaN : (v as number))
    case 'BigInt':
      return BigInt(v as string)
    case 'undefined':
      return undefined
    case 'Number':
      return Number(v) // including "-0", "NaN", "Infinity"
    case HOLE_TAG:
      return HOLE
    case 'Map':
      return new Map(v as [unknown, unknown][])
    case 'Set':
      return new Set(v as unknown[])
    case 'Object':
      return Object.fromEntries(v as [string, unknown][])
    case 'NullObject': {
      const object = Object.create(null) as Record<string, unknown>
      for (const [key, value] of v as [string, unknown][]) object[key] = value // no setter: `__proto__` is data
      return object
    }
    default: {
      const make = FROM_BYTES[record[TAG] as string]
      if (!make) throw new SyntaxError(`unknown tag ${String(record[TAG])}`)
      const max = record.m === undefined ? undefined : Number(record.m)
      if (typeof record.a !== 'number') return make(Buffer.from(v as string, 'base64'), max)
      const attached = attachments[record.a]
      if (attached === undefined) throw new SyntaxError(`missing attachment ${record.a}`)
      return make(Buffer.from(attached.buffer, attached.byteOffset, attached.byteLength), max)
    }
  }
}

/** The constructors with ES2024's `maxByteLength` option (Node 20 has it; the es2023 lib does not declare it). */
type Growable<B> = new (length: number, options?: { maxByteLength: number }) => B
const GrowableArrayBuffer = ArrayBuffer as unknown as Growable<ArrayBuffer>
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as Growable<SharedArrayBuffer>

type FromBytes = (bytes: Buffer, maxByteLength?: number) => unknown

const FROM_BYTES: Record<string, FromBytes> = {
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
  ArrayBuffer: (b, max) =>
    max === undefined
      ? copy(b)
      : filled(new GrowableArrayBuffer(b.length, { maxByteLength: max }), b),
  SharedArrayBuffer: (b, max) =>
    filled(
      new GrowableSharedArrayBuffer(
        b.length,
        max === undefined ? undefined : { maxByteLength: max },
      ),
      b,
    ),
}

/** An aligned ArrayBuffer of its own: wider typed arrays need their offset to be a multiple of their element size. */
function copy(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

function filled<B extends ArrayBufferLike>(buffer: B, bytes: Buffer): B {
  new Uint8Array(buffer).set(bytes)
  return buffer
}
