/**
 * The codec's tags, shared by the encoder (codec.ts, codec-tagging.ts) and the decoder (codec-revive.ts). A
 * tagged value is `{"$t":"<type>","v":…}`; tagged text as a whole is wrapped as `{"$t":"~","v":…}`.
 */
export const TAG = '$t'
export const TAGGED_ROOT = '~'

/** An array slot with no element (a hole): `[1, , 3]` keeps its hole, which is not `undefined`. */
export const HOLE_TAG = 'Hole'

/** The tag of each kind of binary view the codec keeps, by exact prototype: a subclass has none. */
export const VIEW_TAGS = new Map<object, string>([
  [Buffer.prototype, 'Buffer'],
  [Uint8Array.prototype, 'Uint8Array'],
  [Uint8ClampedArray.prototype, 'Uint8ClampedArray'],
  [Int8Array.prototype, 'Int8Array'],
  [Uint16Array.prototype, 'Uint16Array'],
  [Int16Array.prototype, 'Int16Array'],
  [Uint32Array.prototype, 'Uint32Array'],
  [Int32Array.prototype, 'Int32Array'],
  [Float32Array.prototype, 'Float32Array'],
  [Float64Array.prototype, 'Float64Array'],
  [BigInt64Array.prototype, 'BigInt64Array'],
  [BigUint64Array.prototype, 'BigUint64Array'],
  [DataView.prototype, 'DataView'],
])

/** Built-in types the codec keeps; an instance of a subclass of one would come back as the base type. */
export const KEPT_BUILT_INS: readonly (abstract new (...args: never[]) => object)[] = [
  Array,
  Date,
  Map,
  Set,
  ArrayBuffer,
  SharedArrayBuffer,
  Object.getPrototypeOf(Uint8Array) as abstract new (...args: never[]) => object, // %TypedArray%
  DataView,
]
