import { readdirSync } from 'node:fs'
import {
  Cache,
  FileTier,
  MemoryTier,
  withCache,
  type StorageError,
  type WithCacheOptions,
} from '../../src'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

/**
 * Policy failures: the options that look at a computed value (`ttl` as a function, `shouldCache`) run after
 * `fn`, so their failure must never cost the caller the result. It goes to `onError` as a PolicyError.
 */

useTempDirs()

const caches: Cache[] = []
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()))
})

const kinds = {
  'memory only': () => new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }),
  'memory and file': () => {
    const dir = makeTempDir()
    return new Cache({ tiers: [new MemoryTier(), new FileTier({ dir })], cleanupInterval: false })
  },
}

type Options = WithCacheOptions<[number], { n: number }>

const failingPolicies: Record<string, Options> = {
  'a ttl function returning a duration that is no duration': { ttl: () => 'banana' },
  'a ttl function returning a negative number': { ttl: () => -5 },
  'a ttl function returning NaN': { ttl: () => NaN },
  'a ttl function that throws': {
    ttl: () => {
      throw new Error('ttl exploded')
    },
  },
  'a shouldCache that throws': {
    shouldCache: () => {
      throw new Error('shouldCache exploded')
    },
  },
}

describe.each(Object.entries(kinds))('a policy failure after fn ran (%s cache)', (_kind, make) => {
  it.each(Object.entries(failingPolicies))(
    '%s: the caller gets the result, onError gets a PolicyError, nothing is stored',
    async (_name, policy) => {
      const cache = make()
      caches.push(cache)
      const errors: StorageError[] = []
      let runs = 0
      const cached = withCache(async (n: number) => ({ n: n + ++runs * 0 }), {
        cache,
        namespace: 'policy',
        onError: (e) => errors.push(e),
        ...policy,
      })
      await expect(cached(1)).resolves.toEqual({ n: 1 })
      await expect(cached(1)).resolves.toEqual({ n: 1 })
      expect(runs).toBe(2) // not stored, so computed again
      expect(errors).toHaveLength(2)
      expect(errors[0]).toMatchObject({
        name: 'PolicyError',
        code: 'E_POLICY',
        key: "policy:':v1:1",
      })
      expect(String(errors[0]!.message)).toMatch(/ttl|shouldCache/)
      expect(errors[0]!.cause).toBeDefined()
      expect(cache.memoryCache.size).toBe(0)
      const dir = cache.cacheDir
      if (dir !== undefined)
        expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toEqual([])
    },
  )

  it('refresh() gets the result too', async () => {
    const cache = make()
    caches.push(cache)
    const errors: StorageError[] = []
    const cached = withCache(async (n: number) => n * 2, {
      cache,
      namespace: 'policy',
      ttl: () => 'soon',
      onError: (e) => errors.push(e),
    })
    await expect(cached.refresh(4)).resolves.toBe(8)
    expect(errors.map((e) => e.code)).toEqual(['E_POLICY'])
  })

  it('getOrSet with a ttl function that fails: same', async () => {
    const cache = make()
    caches.push(cache)
    const errors: StorageError[] = []
    const value = await cache.getOrSet('k', () => 'v', {
      ttl: () => ({}) as never,
      onError: (e) => errors.push(e),
    })
    expect(value).toBe('v')
    expect(errors.map((e) => e.code)).toEqual(['E_POLICY'])
    expect(await cache.has('k')).toBe(false)
  })

  it('getOrSet with a fixed bad ttl rejects before computing (an argument error, not a policy failure)', async () => {
    const cache = make()
    caches.push(cache)
    let runs = 0
    await expect(cache.getOrSet('k', () => ++runs, 'banana')).rejects.toThrow(TypeError)
    await expect(cache.getOrSet('k', () => ++runs, { memoryTtl: -1 })).rejects.toThrow(/memoryTtl/)
    expect(runs).toBe(0)
  })

  it('a key function that throws rejects the call before fn runs (nothing was computed yet)', async () => {
    const cache = make()
    caches.push(cache)
    let runs = 0
    const cached = withCache(async (n: number) => n + ++runs, {
      cache,
      key: () => {
        throw new Error('no key for you')
      },
    })
    await expect(cached(1)).rejects.toThrow('no key for you')
    expect(runs).toBe(0)
  })

  it('an onError that throws is the caller’s choice to fail loudly: the call rejects with its error', async () => {
    const cache = make()
    caches.push(cache)
    const cached = withCache(async (n: number) => n, {
      cache,
      namespace: 'loud',
      shouldCache: () => {
        throw new Error('shouldCache exploded')
      },
      onError: (e) => {
        throw e
      },
    })
    await expect(cached(1)).rejects.toMatchObject({ code: 'E_POLICY' })
  })
})

describe('options that can be checked before any call are checked when wrapping', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a ttl that is no duration', { ttl: 'banana' }, /ttl option/],
    ['a memoryTtl of 0', { memoryTtl: 0 }, /memoryTtl option/],
    ['a shouldCache that is not a function', { shouldCache: true }, /shouldCache option/],
    ['an onError that is not a function', { onError: 'log' }, /onError option/],
    ['a cache that is not a Cache', { cache: {} }, /cache option/],
    ['an empty namespace', { namespace: '' }, /namespace option/],
  ])('%s: a TypeError naming it, before fn ever runs', (_name, options, message) => {
    let runs = 0
    const wrap = () => withCache(async () => ++runs, { key: 'k', ...options } as never)
    expect(wrap).toThrow(TypeError)
    expect(wrap).toThrow(message)
    expect(runs).toBe(0)
  })
})
