import fc from 'fast-check'
import { argsKey, callText, keyBuilder, argToken } from '../../src/memoize/key'
import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'

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

// JSON.stringify calls an array's toJSON, but the codec's plain-data check walks arrays by index: an Array
// subclass, or an array with its own toJSON, is therefore not plain, and such calls get no text.
class Path extends Array<string> {
  toJSON(): string {
    return this.join('/')
  }
}

describe('arrays with a toJSON never share a call text with other arrays', () => {
  it('two calls with different keys do not share a call text', () => {
    const a = [{ path: Path.from(['a', 'b']) }]
    const b = [{ path: Path.from(['a/b']) }]
    expect(callText(a) === undefined || callText(a) !== callText(b)).toBe(true) // no text, or different texts
  })

  it('withCache serves each call its own result', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    try {
      const depth = withCache(async (req: { path: string[] }) => req.path.length, {
        cache,
        namespace: 'paths',
      })
      const two = { path: Path.from(['a', 'b']) }
      const one = { path: Path.from(['a/b']) }
      expect(await depth(two)).toBe(2)
      expect(await depth(two)).toBe(2) // a memory hit: now remembered by its text
      expect(await depth(one)).toBe(1)
    } finally {
      await cache.close()
    }
  })

  it('keyFor gives the two calls different keys', async () => {
    const depth = withCache(async (req: { path: string[] }) => req.path.length, {
      cache: new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }),
      namespace: 'paths',
    })
    try {
      expect(depth.keyFor({ path: Path.from(['a', 'b']) })).not.toBe(
        depth.keyFor({ path: Path.from(['a/b']) }),
      )
    } finally {
      await depth.cache.close()
    }
  })
})

describe('default keys of values that JSON writes alike', () => {
  it('keyBuilder gives the same key as argsKey for plain data JSON writes ambiguously or not at all', () => {
    const builder = keyBuilder('p')
    const build = (args: unknown[]) => builder(args, callText(args))
    const samples: unknown[][] = [
      [{ a: -0 }],
      [{ a: 0 }],
      [{ a: 1e21 }],
      [{ a: undefined, b: 1 }],
      [{ b: 1 }],
      [[1, 2], 'x'],
      [{ s: '\ud800' }],
      [{ s: '\u2028' }],
      [Object.assign(Object.create(null), { z: 1, a: 2 })],
      [{ a: 2, z: 1 }],
      [{ nested: { deeper: [{ x: [1, { y: null }] }] } }],
    ]
    for (let round = 0; round < 2; round++)
      for (const args of samples) expect(build(args)).toBe(argsKey('p', args))
    expect(build([{ a: undefined, b: 1 }])).toBe(build([{ b: 1 }])) // JSON and canonical both leave undefined out
    expect(build([{ a: 1e21 }])).not.toBe(build([{ a: '1e+21' }]))
  })

  it('strings that look like other tokens never share a key with them', () => {
    const tokens = new Map<string, unknown>()
    const values: unknown[] = [
      1,
      '1',
      -1,
      '-1',
      1.5,
      '1.5',
      1e21,
      '1e+21',
      NaN,
      'NaN',
      Infinity,
      'Infinity',
      -Infinity,
      '-Infinity',
      true,
      'true',
      null,
      'null',
      undefined,
      'undefined',
      10n,
      '10n',
      '',
      "'",
      "''",
      '#',
      '#abc',
      {},
      [],
      '[]',
      '{}',
      'a:b',
      'a%3Ab',
      'a%b',
      ' 1',
      '+1',
      '.5',
      0.5,
      '_',
      '/',
      'x',
      'X',
      "'x",
      new Date(0),
      0,
      'u',
      'N',
      'D0',
    ]
    for (const value of values) {
      const token = argToken(value)
      expect(tokens.has(token) ? [tokens.get(token), value] : token).toBe(token)
      tokens.set(token, value)
    }
  })
})
