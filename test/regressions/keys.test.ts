import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { argsKey, argToken, callText, keyBuilder } from '../../src/memoize/key'
import { CacheError } from '../../src/core/exceptions'

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

describe('default keys', () => {
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

  // --- checked, correct ---

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
