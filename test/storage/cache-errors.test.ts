import {
  CacheError,
  InvalidKeyError,
  isStorageError,
  SerializationError,
  StorageError,
} from '../../src/core/exceptions'
import { Cache, type CacheOptions } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FailingTier } from '../helpers/failing-tier'
import { FakeClock } from '../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'
import { withCache } from '../../src/memoize/with-cache'
import { outcome } from '../helpers/outcome'

useTempDirs()

/** The rejection reason of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const result = await Promise.allSettled([promise])
  expect(result[0]!.status).toBe('rejected')
  return (result[0] as PromiseRejectedResult).reason as Error
}

describe('Cache errors', () => {
  let clock: FakeClock
  beforeEach(() => {
    clock = new FakeClock()
  })
  const open = openCaches(() => ({ cacheDir: makeTempDir(), clock }))
  afterEach(() => {
    jest.useRealTimers()
  })

  it('each error class carries its code, so err.code works across copies of the module', () => {
    expect(new CacheError('x').code).toBe('E_CACHE')
    expect(new StorageError('x').code).toBe('E_STORAGE')
    expect(new SerializationError('x').code).toBe('E_SERIALIZATION')
    expect(new InvalidKeyError('x').code).toBe('E_INVALID_KEY')
    expect(isStorageError({ code: 'E_STORAGE' })).toBe(true) // what another copy's StorageError looks like
    expect(isStorageError({ code: 'E_SERIALIZATION' })).toBe(true)
    expect(isStorageError(new InvalidKeyError('x'))).toBe(false)
    expect(isStorageError(new Error('x'))).toBe(false)
  })

  describe('a value that cannot be stored', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular

    it.each([
      ['a function', { run: () => 1 }],
      ['a symbol', [Symbol('s')]],
      ['a cycle', circular],
    ])(
      'holding %s rejects with a SerializationError naming the key; the cache keeps working',
      async (_what, value) => {
        const cache = open()
        await cache.set('video_42', 'old')
        const err = await rejectionOf(cache.set('video_42', value))
        expect(err).toBeInstanceOf(SerializationError)
        expect(err).toBeInstanceOf(StorageError)
        expect(err).toBeInstanceOf(CacheError)
        expect(err).toMatchObject({ code: 'E_SERIALIZATION', key: 'video_42' })
        expect(err.message).toContain('"video_42"')
        expect(await cache.get('video_42')).toBe('old') // nothing half-written
        await cache.set('video_42', 'new')
        await cache.set('other', { fine: true })
        expect(await cache.get('video_42')).toBe('new')
        expect(await open({ cacheDir: cache.cacheDir }).get('other')).toEqual({ fine: true })
      },
    )

    it('names a long key shortened to 80 characters', async () => {
      const key = 'k'.repeat(500)
      const err = await rejectionOf(open().set(key, () => 1))
      expect((err as StorageError).key).toBe(key)
      expect(err.message).toContain(`"${'k'.repeat(77)}..."`)
      expect(err.message).not.toContain('k'.repeat(78))
    })
  })

  describe('an empty key', () => {
    it.each([
      ['get', (cache: Cache) => cache.get('')],
      ['set', (cache: Cache) => cache.set('', 1)],
      ['has', (cache: Cache) => cache.has('')],
      ['delete', (cache: Cache) => cache.delete('')],
      ['set with a non-string key', (cache: Cache) => cache.set(42 as unknown as string, 1)],
    ])('%s rejects with InvalidKeyError, a CacheError', async (_method, call) => {
      const err = await rejectionOf(call(open()))
      expect(err).toBeInstanceOf(InvalidKeyError)
      expect(err).toBeInstanceOf(CacheError)
      expect(err).not.toBeInstanceOf(StorageError)
      expect(err).toMatchObject({ code: 'E_INVALID_KEY' })
    })

    it('getOrSet rejects with InvalidKeyError and never computes', async () => {
      const cache = open()
      const compute = jest.fn(() => 1)
      const err = await rejectionOf(Promise.resolve().then(() => cache.getOrSet('', compute)))
      expect(err).toBeInstanceOf(InvalidKeyError)
      expect(compute).not.toHaveBeenCalled()
      expect(() => void cache.getOrSet('', compute).catch(() => {})).not.toThrow() // rejects, never throws
    })
  })

  it.each([
    ['ttl', { ttl: 0 }],
    ['ttl', { ttl: 'forever' }],
    ['memoryTtl', { memoryTtl: -1 }],
    ['cleanupInterval', { cleanupInterval: '1 week' }],
    ['tiers', { tiers: [] }],
    ['cacheDir', { cacheDir: '' }],
    ['onError', { onError: 'log' }],
    ['clock', { clock: { now: 5 } }],
    ['clock', { clock: null }],
    ['tiers', { tiers: [undefined] }],
    ['tiers', { tiers: [{ name: 'half a tier', get: async () => undefined }] }],
  ])('a bad %s option is a TypeError naming it', (option, options) => {
    expect(() => new Cache({ cleanupInterval: false, ...options } as CacheOptions)).toThrow(
      TypeError,
    )
    expect(() => new Cache({ cleanupInterval: false, ...options } as CacheOptions)).toThrow(
      new RegExp(`^${option} option`),
    )
  })

  describe('a failing tier', () => {
    it('every operation rejects with a StorageError naming the tier, the key and the cause', async () => {
      const tier = new FailingTier()
      const cache = open({ tiers: [tier] })
      const cases: [Promise<unknown>, string | undefined, string][] = [
        [cache.get('k1'), 'k1', 'read'],
        [cache.has('k2'), 'k2', 'read'],
        [cache.set('k3', 1), 'k3', 'write'],
        [cache.delete('k4'), 'k4', 'delete'],
        [cache.clear('k*'), undefined, 'clear'],
        [cache.cleanup(), undefined, 'clean up'],
      ]
      for (const [promise, key, action] of cases) {
        const err = await rejectionOf(promise)
        expect(err).toBeInstanceOf(StorageError)
        expect(err).toMatchObject({ code: 'E_STORAGE', tier: 'failing', key })
        expect(err.cause).toBeInstanceOf(Error)
        expect(err.message).toBe(
          `[tiercache] [failing] cannot ${action}${key ? ` "${key}"` : ''}: ${(err.cause as Error).message}`,
        )
      }
      expect(tier.calls).toEqual(expect.arrayContaining(['get', 'set', 'delete', 'clear', 'prune']))
      expect((await cache.stats()).errors).toBe(cases.length + 1) // + the failed stats() read itself
    })

    it('set() rejects when a lower tier fails, and leaves no value behind', async () => {
      const cache = open({ tiers: [new MemoryTier({ clock }), new FailingTier('disk')] })
      const err = await rejectionOf(cache.set('k', 'v'))
      expect(err).toMatchObject({ code: 'E_STORAGE', tier: 'disk', key: 'k' })
      expect(err.message).toMatch(/^\[tiercache\] \[disk\] cannot write "k"/)
      expect(cache.memoryCache.has('k')).toBe(false) // the memory copy must not outlive a failed disk write
      await expect(cache.get('k')).rejects.toMatchObject({ code: 'E_STORAGE', tier: 'disk' }) // no tier has it, one failed
    })

    it('getOrSet() still returns the computed value and hands the errors to onError', async () => {
      const onError = jest.fn()
      const cache = open({ tiers: [new MemoryTier({ clock }), new FailingTier('disk')], onError })
      const compute = jest.fn(async () => ({ frames: 3 }))
      expect(await cache.getOrSet('k', compute)).toEqual({ frames: 3 })
      expect(compute).toHaveBeenCalledTimes(1)
      expect(onError.mock.calls.map(([err]) => [err.constructor, err.tier, err.key])).toEqual([
        [StorageError, 'disk', 'k'], // the read
        [StorageError, 'disk', 'k'], // the write
      ])
      const perCall = jest.fn()
      expect(await cache.getOrSet('other', async () => 1, { onError: perCall })).toBe(1)
      expect(perCall).toHaveBeenCalledTimes(2)
      expect(onError).toHaveBeenCalledTimes(2)
    })

    it('without onError, the cache warns once and stays quiet afterwards', async () => {
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => {})
      try {
        const cache = open({ tiers: [new FailingTier()] })
        expect(await cache.getOrSet('a', () => 1)).toBe(1)
        expect(await cache.getOrSet('b', () => 2)).toBe(2)
        expect(warn).toHaveBeenCalledTimes(1)
        expect(warn.mock.calls[0]![0]).toMatch(/^\[tiercache\] \[failing\] cannot read "a"/)
      } finally {
        warn.mockRestore()
      }
    })
  })

  describe('the cleanup timer', () => {
    const useFakeTimers = () =>
      jest.useFakeTimers({
        now: 1_700_000_000_000,
        doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
      })
    const settle = () => new Promise((resolve) => setImmediate(resolve))
    const openOnSystemClock = openCaches(() => ({ cleanupInterval: undefined })) // the default interval, Jest's clock

    it('runs cleanup() every cleanupInterval until close()', async () => {
      useFakeTimers()
      const memory = new MemoryTier() // on the system clock, which Jest now drives
      const prune = jest.spyOn(memory, 'prune')
      const cache = openOnSystemClock({ tiers: [memory], cleanupInterval: '1m' })
      await cache.set('short', 1, 30)
      await cache.set('long', 2, 3_600)
      jest.advanceTimersByTime(60_000 - 1)
      expect(prune).not.toHaveBeenCalled()
      jest.advanceTimersByTime(1)
      await settle()
      expect(prune).toHaveBeenCalledTimes(1)
      expect([...cache.memoryCache.keys()]).toEqual(['long'])
      jest.advanceTimersByTime(60_000)
      expect(prune).toHaveBeenCalledTimes(2)
      await cache.close()
      jest.advanceTimersByTime(10 * 60_000)
      expect(prune).toHaveBeenCalledTimes(2)
    })

    it('runs every hour by default, over both default tiers', async () => {
      useFakeTimers()
      const cache = openOnSystemClock({ cacheDir: makeTempDir() })
      const prunes = cache.tiers.map((tier) => jest.spyOn(tier, 'prune'))
      jest.advanceTimersByTime(3_600_000 - 1)
      for (const prune of prunes) expect(prune).not.toHaveBeenCalled()
      jest.advanceTimersByTime(1)
      for (const prune of prunes) expect(prune).toHaveBeenCalledTimes(1)
      await settle()
    })

    it('hands its failures to onError', async () => {
      useFakeTimers()
      const onError = jest.fn()
      openOnSystemClock({ tiers: [new FailingTier()], cleanupInterval: '1m', onError })
      jest.advanceTimersByTime(60_000)
      await settle()
      expect(onError).toHaveBeenCalledTimes(1)
      expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'E_STORAGE', tier: 'failing' })
    })
  })
})

describe('a peekable tier that throws: calls reject rather than throw', () => {
  /** A memory tier whose synchronous read fails (a custom in-process tier with a bug, or a broken invariant). */
  class ThrowingPeekTier extends MemoryTier {
    override peek(): never {
      throw new Error('peek failed')
    }
  }

  it('Cache.get() and getOrSet() reject rather than throw', () => {
    const cache = new Cache({ tiers: [new ThrowingPeekTier()], cleanupInterval: false })
    expect(outcome(() => cache.get('k'))).toBe('promise')
    expect(outcome(() => cache.getOrSet('k', () => 1))).toBe('promise')
  })

  it('a withCache call rejects rather than throws', () => {
    const cache = new Cache({ tiers: [new ThrowingPeekTier()], cleanupInterval: false })
    const f = withCache(async (x: string) => x, { cache, namespace: 'review' })
    expect(outcome(() => f('a'))).toBe('promise')
  })
})
