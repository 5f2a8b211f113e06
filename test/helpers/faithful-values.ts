/** ES2024's resizable ArrayBuffer (Node 20 has it; the es2023 lib does not declare it). */
type Growable = new (length: number, options: { maxByteLength: number }) => ArrayBuffer

/**
 * Values the codec keeps exactly, including the ones a naive JSON codec changes without a word: built the
 * same way in the writing parent and the reading child (see value-reader-process.ts).
 */
export function faithfulValues(): Record<string, unknown> {
  const shared = new SharedArrayBuffer(4)
  new Uint8Array(shared).set([1, 2, 3, 4])
  const resizable = new (ArrayBuffer as unknown as Growable)(3, { maxByteLength: 64 })
  new Uint8Array(resizable).set([9, 8, 7])
  let deep: unknown = 'leaf'
  for (let i = 0; i < 1000; i++) deep = [deep]
  return {
    arrayBuffer: new Uint8Array([0, 1, 2, 250, 255]).buffer,
    bigArrayBuffer: new Uint8Array(Array.from({ length: 10_000 }, (_, i) => i % 251)).buffer,
    sharedArrayBuffer: shared,
    resizableArrayBuffer: resizable,
    dataView: new DataView(new Uint8Array([5, 6, 7]).buffer),
    negativeZero: -0,
    negativeZeros: { x: -0, list: [-0, 0], floats: new Float64Array([-0]) },
    // eslint-disable-next-line no-sparse-arrays
    holes: [1, , undefined, 3],
    nullPrototype: Object.assign(Object.create(null) as object, { $t: 'Map', when: new Date(0) }),
    protoKey: JSON.parse('{"__proto__":{"admin":true},"name":"x"}') as unknown,
    invalidDate: new Date(Number.NaN),
    nested1000: deep,
    everything: {
      at: new Date(86_400_000),
      n: 2n ** 70n,
      m: new Map<unknown, unknown>([[{ id: 1 }, new Set([-0, Number.NaN, -Infinity])]]),
      bytes: Buffer.from('png'),
      none: undefined,
    },
  }
}
