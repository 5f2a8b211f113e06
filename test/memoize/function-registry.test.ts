import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import type * as WithCacheModule from '../../src/memoize/with-cache'
import { CacheError } from '../../src/core/exceptions'

const memoryCache = () => new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })

/** A function made from source text, as a module evaluated a second time makes it. */
const fromSource = <F>(source: string): F => new Function(`return (${source})`)() as F

describe('default key prefixes (one function per prefix and cache)', () => {
  it('a second, different function under a taken prefix is refused at wrap time, naming both and the fix', async () => {
    const cache = memoryCache()
    const loadA = fromSource<(id: string) => Promise<string>>(
      'async function load(id) { return "a" + id }',
    )
    const loadB = fromSource<(id: string) => Promise<string>>(
      'async function load(id) { return "b" + id }',
    )
    const first = withCache(loadA, { cache })
    let error: unknown
    try {
      withCache(loadB, { cache })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(CacheError)
    const message = (error as Error).message
    expect(message).toMatch(/load/)
    expect(message).toMatch(/"a" \+ id/) // the first function
    expect(message).toMatch(/"b" \+ id/) // the second one
    expect(message).toMatch(/namespace/)
    expect(message).toMatch(/key/)
    expect(await first('1')).toBe('a1')
    await cache.close()
  })

  it('two anonymous functions under one namespace are refused too', () => {
    const cache = memoryCache()
    withCache(async (id: string) => `a${id}`, { cache, namespace: 'video' })
    expect(() => withCache(async (id: string) => `b${id}`, { cache, namespace: 'video' })).toThrow(
      CacheError,
    )
  })

  it('the same function wrapped again (a factory called twice, a wrapper per request) is allowed', async () => {
    const cache = memoryCache()
    const makePipeline = (c: Cache) =>
      withCache(async (id: string) => `done ${id}`, { cache: c, namespace: 'pipeline' })
    const one = makePipeline(cache)
    const two = makePipeline(cache)
    expect(await one('x')).toBe('done x')
    expect(await two('x')).toBe('done x')
    for (let request = 0; request < 3; request++) {
      const perRequest = withCache(async (id: string) => `req ${id}`, {
        cache,
        namespace: 'request',
      })
      expect(await perRequest('y')).toBe('req y')
    }
    await cache.close()
  })

  it('the same source evaluated twice (a module loaded twice) is allowed', () => {
    const cache = memoryCache()
    const source = 'async function load(id) { return id }'
    withCache(fromSource<(id: string) => Promise<string>>(source), { cache })
    expect(() =>
      withCache(fromSource<(id: string) => Promise<string>>(source), { cache }),
    ).not.toThrow()
  })

  it('each cache has its own prefixes: one name on two caches is fine', () => {
    const loadA = fromSource<() => Promise<number>>('async function load() { return 1 }')
    const loadB = fromSource<() => Promise<number>>('async function load() { return 2 }')
    withCache(loadA, { cache: memoryCache() })
    expect(() => withCache(loadB, { cache: memoryCache() })).not.toThrow()
  })

  it('a namespace, a key name or another version gives a prefix of its own', () => {
    const cache = memoryCache()
    const loadA = fromSource<() => Promise<number>>('async function load() { return 1 }')
    const loadB = fromSource<() => Promise<number>>('async function load() { return 2 }')
    withCache(loadA, { cache })
    expect(() => withCache(loadB, { cache, namespace: 'b' })).not.toThrow()
    expect(() => withCache(loadB, { cache, key: 'loadB' })).not.toThrow()
    expect(() => withCache(loadB, { cache, version: 2 })).not.toThrow()
    expect(() => withCache(loadB, { cache, key: () => 'custom' })).not.toThrow()
  })

  it('is one registry per process: a second copy of the library sees the names the first took', () => {
    const cache = memoryCache()
    let copyA: typeof WithCacheModule | undefined
    let copyB: typeof WithCacheModule | undefined
    jest.isolateModules(() => {
      copyA = jest.requireActual<typeof WithCacheModule>('../../src/memoize/with-cache')
    })
    jest.isolateModules(() => {
      copyB = jest.requireActual<typeof WithCacheModule>('../../src/memoize/with-cache')
    })
    expect(copyA!.withCache).not.toBe(copyB!.withCache)
    copyA!.withCache(fromSource<() => Promise<number>>('async function twin() { return 1 }'), {
      cache,
    })
    expect(() =>
      copyB!.withCache(fromSource<() => Promise<number>>('async function twin() { return 2 }'), {
        cache,
      }),
    ).toThrow(/twin/)
  })
})
