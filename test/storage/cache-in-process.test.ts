import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import type { StorageError } from '../../src/core/exceptions'
import { FakeClock } from '../../src/testing/fake-clock'
import { gate } from '../helpers/gate'

/**
 * A cache whose only tier is the memory tier takes a shorter miss path (Cache#computeInProcess): callers get
 * the computation's own promise and the value is stored by a reaction to it. These tests hold that path to
 * everything the general path promises.
 */

describe('Cache with one in-process tier: misses', () => {
  let clock: FakeClock
  let cache: Cache
  beforeEach(() => {
    clock = new FakeClock()
    cache = new Cache({
      tiers: [new MemoryTier({ clock })],
      clock,
      cleanupInterval: false,
      ttl: 60,
    })
  })
  afterEach(() => cache.close())

  it('hands callers the computation`s own promise, and the value is stored before any caller resumes', async () => {
    const computed = Promise.resolve({ id: 1 })
    const loading = cache.getOrSet('k', () => computed)
    expect(loading).toBe(computed)
    expect(await loading).toEqual({ id: 1 })
    expect(cache.peek('k')?.value).toEqual({ id: 1 })
  })

  it('stores synchronous results and thenables too', async () => {
    expect(await cache.getOrSet('sync', () => 42)).toBe(42)
    const thenable = { then: (resolve: (v: string) => void) => resolve('from a thenable') }
    expect(await cache.getOrSet('thenable', () => thenable as unknown as Promise<string>)).toBe(
      'from a thenable',
    )
    expect([await cache.get('sync'), await cache.get('thenable')]).toEqual([42, 'from a thenable'])
  })

  it('runs a computation once for concurrent callers, and frees the key when it settles', async () => {
    const release = gate<string>()
    let runs = 0
    const calls = Array.from({ length: 50 }, () =>
      cache.getOrSet('k', () => (runs++, release.promise)),
    )
    release.open('shared')
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['shared']))
    expect(runs).toBe(1)
    await cache.delete('k')
    expect(await cache.getOrSet('k', () => (runs++, 'again'))).toBe('again')
    expect(runs).toBe(2)
  })

  it('shares a rejection with every caller, stores nothing, and lets the next call compute again', async () => {
    const failing = gate<never>()
    let runs = 0
    const calls = Array.from({ length: 3 }, () =>
      cache.getOrSet(
        'k',
        () => (
          runs++,
          failing.promise.then(() => {
            throw new Error('GPU fell over')
          })
        ),
      ),
    )
    failing.open(undefined as never)
    for (const call of calls) await expect(call).rejects.toThrow('GPU fell over')
    expect(cache.peek('k')).toBeUndefined()
    expect(await cache.getOrSet('k', () => (runs++, 'recovered'))).toBe('recovered')
    expect(runs).toBe(2)
  })

  it('a synchronous throw rejects, and the key is free again', async () => {
    await expect(
      cache.getOrSet('k', () => {
        throw new TypeError('bad input')
      }),
    ).rejects.toThrow('bad input')
    expect(await cache.getOrSet('k', () => 'ok')).toBe('ok')
  })

  it('a bad ttl rejects before the computation runs', async () => {
    let runs = 0
    await expect(cache.getOrSet('k', () => ++runs, { ttl: 'soon' as never })).rejects.toThrow(
      TypeError,
    )
    expect(runs).toBe(0)
  })

  it('a set(), delete() or clear() made while it computes wins over the older result', async () => {
    for (const interfere of [
      () => cache.set('k', 'set meanwhile'),
      () => cache.delete('k'),
      () => cache.clear(),
      () => cache.clear('k*'),
    ]) {
      await cache.clear()
      const computing = gate<string>()
      const loading = cache.getOrSet('k', () => computing.promise)
      const expected = await interfere().then(() => cache.peek('k')?.value)
      computing.open('computed from older data')
      expect(await loading).toBe('computed from older data') // the caller still gets its result…
      expect(cache.peek('k')?.value).toBe(expected) // …but it is not stored over what happened meanwhile
    }
  })

  it('writes to other keys during the computation do not stop it being stored', async () => {
    const computing = gate<string>()
    const loading = cache.getOrSet('k', () => computing.promise)
    for (let i = 0; i < 100; i++) await cache.set(`other${i}`, i)
    computing.open('mine')
    await loading
    expect(cache.peek('k')?.value).toBe('mine')
  })

  it('honours ttl and memoryTtl given to the call, and ttl 0 stores nothing', async () => {
    await cache.getOrSet('short', () => 'a', { ttl: 5 })
    await cache.getOrSet('none', () => 'b', { ttl: 0 })
    await cache.getOrSet('mem', () => 'c', { ttl: 100, memoryTtl: 2 })
    expect(cache.peek('none')).toBeUndefined()
    clock.advance(2_000)
    expect([cache.peek('short')?.value, cache.peek('mem')?.value]).toEqual(['a', undefined])
    clock.advance(3_000)
    expect(cache.peek('short')).toBeUndefined()
  })

  it('a value the tier cannot take goes to onError; the caller still gets it', async () => {
    const errors: StorageError[] = []
    const bounded = new Cache({
      tiers: [new MemoryTier({ maxBytes: 1024 })],
      cleanupInterval: false,
      onError: (e) => errors.push(e),
    })
    const fn = () => ({ handler: () => 'functions cannot be encoded' })
    const value = await bounded.getOrSet('k', fn)
    expect(typeof value.handler).toBe('function')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'E_SERIALIZATION', key: 'k' })
    expect(bounded.peek('k')).toBeUndefined()
    await bounded.close()
  })

  it('ttl functions and shouldCache see the value (the general path), with the same results', async () => {
    await cache.getOrSet('fn', () => ({ status: 'processing' }), {
      ttl: (v) => (v.status === 'processing' ? 1 : 100),
    })
    await cache.getOrSet('no', () => [], { shouldCache: (v) => v.length > 0 })
    expect(cache.peek('no')).toBeUndefined()
    clock.advance(1_000)
    expect(cache.peek('fn')).toBeUndefined()
  })

  it('withCache over it: an invalidate() during the computation keeps the older result out', async () => {
    let source = 'v1'
    const started = gate()
    const release = gate()
    const cached = withCache(
      async (id: string) => {
        const seen = `${id}:${source}`
        started.open()
        await release.promise
        return seen
      },
      { cache, namespace: 'inproc' },
    )
    const first = cached('a')
    await started.promise
    source = 'v2'
    await cached.invalidate('a')
    release.open()
    expect(await first).toBe('a:v1')
    expect(await cached('a')).toBe('a:v2')
  })
})

describe('memory tier of a memory-only cache', () => {
  it('keeps the latest of two concurrent set() calls', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    await Promise.all([cache.set('k', 1), cache.set('k', 2)])
    expect(await cache.get('k')).toBe(2)
  })
})
