import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { CacheError } from '../../src'
import { withCache } from '../../src/memoize/with-cache'
import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { argsKey, argToken, callText, keyBuilder } from '../../src/memoize/key'
import { KEY_SAMPLES } from '../fixtures/key-samples'

const key = (...args: unknown[]) => argsKey('ns:fn:v1', args)

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('default keys', () => {
  it('show primitive arguments as readable text', () => {
    expect(key('abc', 4)).toBe('ns:fn:v1:abc:4')
    expect(key(true, null, undefined, 10n)).toBe('ns:fn:v1:true:null:undefined:10n')
    expect(key()).toBe('ns:fn:v1')
  })

  it.each([
    [[1], ['1']],
    [['a', 'b'], ['a:b']],
    [[true], ['true']],
    [[null], ['null']],
    [[undefined], ['undefined']],
    [[10n], ['10n']],
    [[''], []],
    [['%3A'], [':']],
    [[NaN], ['NaN']],
    [["'1"], ['1']],
    [[{ a: 1 }], ['#']],
    [[[1]], [['1']]],
    [[{ a: 1 }], [{ a: '1' }]],
    [[new Date(5)], [5]],
    [[new Set([1])], [[1]]],
    [[new Map([[1, 2]])], [{ 1: 2 }]],
    [[Buffer.from('a')], ['a']],
    [[new Uint8Array([97])], [Buffer.from('a')]],
  ])('distinct calls get distinct keys: %j vs %j', (a, b) => {
    expect(key(...a)).not.toBe(key(...b))
  })

  it('hash equal objects to one key whatever their key order', () => {
    const a = key({ videoId: 'v', opts: { fps: 30, model: 'clip' } })
    const b = key({ opts: { model: 'clip', fps: 30 }, videoId: 'v' })
    expect(a).toBe(b)
    expect(a).toMatch(/^ns:fn:v1:#[A-Za-z0-9_-]{22}$/)
  })

  it('hash Date, Map, Set, Buffer and BigInt arguments by value', () => {
    expect(key(new Date(5))).toBe(key(new Date(5)))
    expect(
      key(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(
      key(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    )
    expect(key(new Set([1, 2]))).toBe(key(new Set([2, 1])))
    expect(key(Buffer.from('xyz'))).toBe(key(Buffer.from('xyz')))
    expect(key({ n: 10n })).toBe(key({ n: 10n }))
    expect(key({ n: 10n })).not.toBe(key({ n: 11n }))
  })

  it('hash class instances by toJSON, by a tiercache.key method, or by enumerable state when opted in', () => {
    class Url {
      constructor(readonly href: string) {}
      toJSON() {
        return this.href
      }
    }
    class Money {
      readonly #cents: number
      constructor(cents: number) {
        this.#cents = cents
      }
      [Symbol.for('tiercache.key')]() {
        return this.#cents
      }
    }
    expect(key(new Url('a'))).toBe(key(new Url('a')))
    expect(key(new Url('a'))).not.toBe(key(new Url('b')))
    expect(key(new Url('a'))).not.toBe(key('a'))
    expect(key(new Money(100))).not.toBe(key(new Money(999_999)))
    const opted = (...args: unknown[]) => argsKey('p', args, [Point])
    expect(opted(new Point(1, 2))).toBe(opted(new Point(1, 2)))
    expect(opted(new Point(1, 2))).not.toBe(opted(new Point(2, 1)))
    expect(opted(new Point(1, 2))).not.toBe(opted({ x: 1, y: 2 }))
  })

  it('refuse a class instance they cannot see through, naming the class and the three fixes', () => {
    class Money {
      readonly currency = 'EUR' // enumerable, but not the whole state
      readonly #cents: number
      constructor(cents: number) {
        this.#cents = cents
      }
      get cents() {
        return this.#cents
      }
    }
    for (const value of [new Money(100), new Point(1, 2), { nested: [new Point(1, 2)] }]) {
      let error: unknown
      try {
        key(value)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(CacheError)
      const message = (error as Error).message
      expect(message).toMatch(value instanceof Money ? /Money/ : /Point/)
      expect(message).toMatch(/`key`/)
      expect(message).toMatch(/toJSON/)
      expect(message).toMatch(/hashInstancesOf/)
    }
  })

  it('refuse an instance whose state holds a function, even when its class is opted in', () => {
    class Query {
      constructor(readonly where: (x: number) => boolean) {}
    }
    expect(() => key(new Query((x) => x >= 1))).toThrow(CacheError)
    expect(() => argsKey('p', [new Query((x) => x >= 1)], [Query])).toThrow(CacheError)
  })

  it('never let two instances that differ only in a closure or a #private field share a cached result', async () => {
    class Query {
      constructor(readonly where: (x: number) => boolean) {}
    }
    class Money {
      readonly currency = 'EUR' // enumerable, but not the whole state
      readonly #cents: number
      constructor(cents: number) {
        this.#cents = cents
      }
      get cents() {
        return this.#cents
      }
    }
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    const count = withCache(async (q: Query) => [1, 50, 100].filter(q.where).length, {
      cache,
      namespace: 'count',
    })
    const price = withCache(async (m: Money) => m.cents / 100, { cache, namespace: 'price' })
    await expect(count(new Query((x) => x >= 1))).rejects.toBeInstanceOf(CacheError)
    await expect(count(new Query((x) => x >= 100))).rejects.toBeInstanceOf(CacheError)
    await expect(price(new Money(100))).rejects.toThrow(/Money/)
    await expect(price(new Money(999_999))).rejects.toThrow(/Money/)
    await cache.close()
  })

  it('never serve a call with -0 the result of a call with 0, or back, memory hits included', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    const inverse = withCache(async (x: number) => 1 / x, { cache, namespace: 'inverse' })
    const inverseOf = withCache(async (o: { x: number }) => 1 / o.x, {
      cache,
      namespace: 'inverseOf',
    })
    for (let round = 0; round < 3; round++) {
      expect(await inverse(0)).toBe(Infinity)
      expect(await inverse(-0)).toBe(-Infinity)
      expect(await inverseOf({ x: 0 })).toBe(Infinity)
      expect(await inverseOf({ x: -0 })).toBe(-Infinity)
    }
    await cache.close()
  })

  it('give -0 and 0 distinct keys (Object.is), at top level and inside objects, remembered or not', () => {
    const builder = keyBuilder('ns:fn:v1')
    const build = (args: unknown[]) => builder(args, callText(args))
    expect(key(-0)).not.toBe(key(0))
    expect(key(-0)).not.toBe(key('-0'))
    for (const round of [0, 1]) {
      expect([round, build([{ a: 0 }])]).not.toEqual([round, build([{ a: -0 }])])
      expect(build([{ a: -0 }])).toBe(key({ a: -0 }))
      expect(build([[0, -0]])).toBe(key([0, -0]))
    }
  })

  it('refuse functions, symbols and circular arguments with a CacheError', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(() => argToken(() => 1)).toThrow(CacheError)
    expect(() => argToken(Symbol('s'))).toThrow(CacheError)
    expect(() => argToken({ f: () => 1 })).toThrow(CacheError)
    expect(() => argToken(circular)).toThrow(CacheError)
  })

  it('are identical in another process', () => {
    const child = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, '../fixtures/print-keys.ts')],
      {
        encoding: 'utf8',
      },
    )
    const keys = KEY_SAMPLES().map((args) => key(...args))
    expect(JSON.parse(child)).toEqual(keys)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('stay distinct across 5000 random primitive argument lists', () => {
    const seen = new Map<string, string>()
    const alphabet = ['a', 'A', ':', '%', "'", '#', '1', '-', '.', ' ', 'é', '']
    for (let i = 0; i < 5000; i++) {
      const args = Array.from({ length: 1 + (i % 3) }, (_, j) => {
        const pick = (i * 7 + j * 13) % 5
        if (pick === 0) return (i * 31 + j) % 17
        if (pick === 1) return String((i * 31 + j) % 17)
        return Array.from(
          { length: (i + j) % 4 },
          (_, k) => alphabet[(i * 3 + j * 5 + k * 11) % alphabet.length],
        ).join('')
      })
      const k = key(...args)
      const identity = JSON.stringify(args.map((a) => [typeof a, a]))
      expect(seen.get(k) ?? identity).toBe(identity)
      seen.set(k, identity)
    }
  })

  describe('keyBuilder (remembers the keys of object arguments)', () => {
    it('gives exactly the keys argsKey gives, on first and repeated calls', () => {
      const builder = keyBuilder('ns:fn:v1')
      const build = (args: unknown[]) => builder(args, callText(args))
      for (let round = 0; round < 2; round++) {
        for (const args of KEY_SAMPLES()) expect(build(args)).toBe(key(...args))
      }
    })

    it('gives one key for equal objects in any key order, remembered or not', () => {
      const builder = keyBuilder('p', 2) // a tiny memory, so it starts over during the test
      const build = (args: unknown[]) => builder(args, callText(args))
      const expected = argsKey('p', [{ videoId: 'v', opts: { fps: 30, model: 'clip' } }])
      const orders = [
        { videoId: 'v', opts: { fps: 30, model: 'clip' } },
        { opts: { model: 'clip', fps: 30 }, videoId: 'v' },
        { opts: { fps: 30, model: 'clip' }, videoId: 'v' },
      ]
      for (let i = 0; i < 9; i++) expect(build([orders[i % 3]])).toBe(expected)
    })

    it('keys large arguments without remembering their text (memory stays bounded)', () => {
      const builder = keyBuilder('p')
      const big = { frames: Array.from({ length: 200 }, (_, i) => i), label: 'x'.repeat(600) }
      const reordered = { label: big.label, frames: [...big.frames] }
      expect(callText([big])).toBeUndefined()
      expect(callText([{ small: true }])).toBe('[{"small":true}]')
      expect(builder([big], callText([big]))).toBe(argsKey('p', [big]))
      expect(builder([reordered], callText([reordered]))).toBe(argsKey('p', [big]))
    })

    it('does not conflate values that JSON writes alike', () => {
      const builder = keyBuilder('p')
      const build = (args: unknown[]) => builder(args, callText(args))
      const pairs: [unknown, unknown][] = [
        [[undefined], [null]],
        [[NaN], [null]],
        [{ d: new Date(0) }, { d: '1970-01-01T00:00:00.000Z' }],
        [{ m: new Map() }, { m: {} }],
        [[1n], ['1']],
      ]
      for (const [a, b] of pairs) {
        expect(build([a])).not.toBe(build([b]))
        expect(build([a])).toBe(argsKey('p', [a]))
      }
    })
  })
})

/** A value object whose state is private (TypeScript `#` fields, as many domain classes are written). */
class VideoRef {
  readonly #id: string
  constructor(id: string) {
    this.#id = id
  }
  get id(): string {
    return this.#id
  }
}

describe('default keys refuse what they cannot tell apart', () => {
  it('class instances whose state is in private fields are refused rather than share a key', () => {
    expect(() => argToken(new VideoRef('a'))).toThrow(CacheError)
  })

  it('withCache never serves one instance’s result for another instance with different private state', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    const title = withCache(async (ref: VideoRef) => `title of ${ref.id}`, {
      cache,
      namespace: 'review',
    })
    await expect(title(new VideoRef('a'))).rejects.toBeInstanceOf(CacheError)
    const byId = withCache(async (ref: VideoRef) => `title of ${ref.id}`, {
      cache,
      namespace: 'review',
      key: (ref) => `title_${ref.id}`,
    })
    expect(await byId(new VideoRef('a'))).toBe('title of a')
    expect(await byId(new VideoRef('b'))).toBe('title of b')
    await cache.close()
  })

  it('an argument no key can be built from (a Promise, a WeakMap) is refused with a CacheError', () => {
    expect(() => argToken(Promise.resolve(1))).toThrow(CacheError)
    expect(() => argToken(new WeakMap())).toThrow(CacheError)
  })
})
