import fc from 'fast-check'
import { argsKey, callText, keyBuilder } from '../../src/memoize/key'

/**
 * The documented equality of arguments, written independently of key.ts: primitives by Object.is (so NaN
 * equals NaN and -0 differs from 0) and by type (1 is not '1'); plain objects by their defined properties,
 * in any order; arrays by their elements; Maps and Sets by their entries, in any order; Dates by time;
 * bytes by their type and content.
 */
function model(value: unknown): unknown {
  if (typeof value === 'number') return ['n', Object.is(value, -0) ? '-0' : String(value)]
  if (typeof value === 'bigint') return ['b', String(value)]
  if (typeof value !== 'object' || value === null)
    return [typeof value, value === null ? 'null' : value]
  if (Array.isArray(value)) return ['a', value.map(model)]
  if (value instanceof Date) return ['d', value.getTime()]
  if (value instanceof Uint8Array) return [value.constructor.name, [...value]]
  const sorted = (items: unknown[]) => items.map((item) => JSON.stringify(item)).sort()
  if (value instanceof Map) return ['m', sorted([...value].map(([k, v]) => [model(k), model(v)]))]
  if (value instanceof Set) return ['s', sorted([...value].map(model))]
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  return ['o', sorted(entries.map(([k, v]) => [k, model(v)]))]
}

const primitive = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', '1', ':', '%', "'", '#', '-', '.', 'n', ' ', 'é'),
    maxLength: 4,
  }),
  fc.constantFrom(0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e21),
  fc.integer({ min: -5, max: 20 }),
  fc.boolean(),
  fc.constantFrom(null, undefined, 1n, 10n),
)
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    tie('object'),
    tie('other'),
  ),
  object: fc.oneof(
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', '1'), tie('value'), { maxKeys: 3 }),
  ),
  other: fc.oneof(
    fc.integer({ min: -2, max: 2 }).map((t) => new Date(t)),
    fc.uint8Array({ maxLength: 3 }).map((bytes) => Buffer.from(bytes)),
    fc.uint8Array({ maxLength: 3 }),
    fc.array(primitive, { maxLength: 3 }).map((items) => new Set(items)),
    fc.array(fc.tuple(primitive, primitive), { maxLength: 3 }).map((pairs) => new Map(pairs)),
  ),
}))
const argLists = fc.array(fc.array(value, { maxLength: 3 }), { minLength: 2, maxLength: 12 })

describe('default keys by the documented equality of arguments', () => {
  it('distinct argument lists get distinct keys; equal ones get equal keys (argsKey and the remembering builder)', () => {
    const builder = keyBuilder('p')
    fc.assert(
      fc.property(argLists, (lists) => {
        const byKey = new Map<string, string>()
        const byModel = new Map<string, string>()
        for (const args of lists) {
          const identity = JSON.stringify(args.map(model))
          const key = argsKey('p', args)
          expect(builder(args, callText(args))).toBe(key)
          expect([args, byKey.get(key) ?? identity]).toEqual([args, identity])
          expect([args, byModel.get(identity) ?? key]).toEqual([args, key])
          byKey.set(key, identity)
          byModel.set(identity, key)
        }
      }),
      {
        numRuns: 1000,
        examples: [[[[0], [-0], [{ a: 0 }], [{ a: -0 }], [[NaN]], [[NaN]], ['1'], [1]]]],
      },
    )
  })

  it('equal data built in another key or insertion order gets the same key', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 3 }), value, { maxKeys: 5 }), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse())
        expect(argsKey('p', [reversed])).toBe(argsKey('p', [record]))
        const map = new Map(Object.entries(record))
        expect(argsKey('p', [new Map([...map].reverse())])).toBe(argsKey('p', [map]))
      }),
      { numRuns: 500 },
    )
  })
})
