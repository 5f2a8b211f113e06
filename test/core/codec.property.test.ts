import fc from 'fast-check'
import { decode, encode, encodeParts, fromParsed } from '../../src/core/codec'
import { SerializationError } from '../../src/core/exceptions'
import { difference } from '../helpers/same-value'

/** Both ways a value is read back: from text alone, and from text with attachments set apart (small, to exercise them). */
function readBack(value: unknown): unknown[] {
  const parts = encodeParts(value, 8)
  return [decode(encode(value)), fromParsed(JSON.parse(parts.text), parts.attachments)]
}

const bytes = fc.uint8Array({ maxLength: 40 })
/** The leaves the codec keeps, the awkward ones weighted in. */
const supportedLeaf = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, undefined, null, '', '$t', '~'),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  bytes.map((b) => Buffer.from(b)),
  bytes.map((b) => b.slice().buffer),
  bytes.map((b) => new DataView(b.slice().buffer)),
  bytes.map((b) => {
    const shared = new SharedArrayBuffer(b.length)
    new Uint8Array(shared).set(b)
    return shared
  }),
  fc.float64Array({ maxLength: 6 }),
  fc.bigInt64Array({ maxLength: 4 }),
)
/** Keys that look like the codec's own tags and fields, or like the prototype, among ordinary ones. */
const key = fc.oneof(fc.string(), fc.constantFrom('$t', 'v', 'a', 'm', '__proto__', 'constructor'))
const supported = fc.anything({
  key,
  values: [supportedLeaf],
  maxDepth: 4,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
})

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}
class Samples extends Float32Array {}
class Registry extends Map<unknown, unknown> {}
const unsupportedLeaf = fc.oneof(
  fc.constant(() => 1),
  fc.string().map((s) => Symbol(s)),
  fc.integer().map((n) => new Point(n, n)),
  fc.string().map((s) => new Error(s)),
  fc.string().map((s) => new RegExp(s.replace(/[^a-z]/g, ''))),
  fc.integer({ min: 0, max: 8 }).map((n) => new Samples(n)),
  fc.constant(new Registry()),
  fc.constant(new WeakMap()),
  fc.double().map((n) => Object(n) as object),
  fc.string().map((s) => Object(s) as object),
  supported.map((value) => {
    const loop: Record<string, unknown> = { value }
    loop.self = [loop]
    return loop
  }),
)
const anything = fc.anything({
  key,
  values: [supportedLeaf, unsupportedLeaf],
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withObjectString: true,
})

describe('codec properties', () => {
  it('every value built from the supported types comes back the same (Object.is, prototype, bytes, holes, order)', () => {
    fc.assert(
      fc.property(supported, (value) => {
        for (const back of readBack(value)) expect(difference(value, back)).toBeUndefined()
      }),
      { numRuns: 400 },
    )
  })

  it('any value is either refused with a SerializationError or comes back the same: never changed silently', () => {
    let refused = 0
    fc.assert(
      fc.property(anything, (value) => {
        let backs: unknown[]
        try {
          backs = readBack(value)
        } catch (err) {
          expect(err).toBeInstanceOf(SerializationError)
          expect((err as Error).message).toMatch(/^\[tiercache\] value cannot be stored: it /)
          refused++
          return
        }
        for (const back of backs) expect(difference(value, back)).toBeUndefined()
      }),
      { numRuns: 400 },
    )
    expect(refused).toBeGreaterThan(0) // the generator does reach what must be refused
  })
})
