import type { StorageError } from '../../src/core/exceptions'
import { LifetimePolicy } from '../../src/storage/lifetimes'
import { Cache } from '../../src/storage/cache'
import { FakeClock } from '../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

const unexpected = (error: StorageError) => {
  throw error
}

describe('LifetimePolicy', () => {
  it('defaults to 24 hours, with in-process copies living as long', () => {
    const policy = new LifetimePolicy(undefined, undefined)
    expect(policy.of(undefined)).toEqual({ ttlMs: 86_400_000, memoryTtlMs: 86_400_000 })
    expect(policy.memoryTtlMs).toBe(Infinity)
  })

  it('takes seconds, durations and { ttl, memoryTtl }; a copy never outlives its entry', () => {
    const policy = new LifetimePolicy('1h', '10m')
    expect(policy.of(undefined)).toEqual({ ttlMs: 3_600_000, memoryTtlMs: 600_000 })
    expect(policy.of(30)).toEqual({ ttlMs: 30_000, memoryTtlMs: 30_000 })
    expect(policy.of({ memoryTtl: '1m' })).toEqual({ ttlMs: 3_600_000, memoryTtlMs: 60_000 })
    expect(policy.of({ ttl: '2h', memoryTtl: '3h' })).toEqual({
      ttlMs: 7_200_000,
      memoryTtlMs: 7_200_000,
    })
  })

  it('names the option a bad duration came in', () => {
    expect(() => new LifetimePolicy('soon' as never, undefined)).toThrow(/ttl/)
    expect(() => new LifetimePolicy(undefined, -1)).toThrow(/memoryTtl/)
    expect(() => new LifetimePolicy(undefined, undefined).of({ memoryTtl: 'x' as never })).toThrow(
      /memoryTtl/,
    )
  })

  it('for a computed value: shouldCache and a ttl of 0 say "do not store", a ttl function sees the value', () => {
    const policy = new LifetimePolicy(60, undefined)
    expect(
      policy.ofComputed('k', [], { shouldCache: (v: unknown[]) => v.length > 0 }, unexpected),
    ).toBeUndefined()
    expect(policy.ofComputed('k', 'x', { ttl: 0 }, unexpected)).toBeUndefined()
    expect(
      policy.ofComputed('k', 'x', { ttl: (v: string) => (v === 'x' ? 5 : 0) }, unexpected),
    ).toEqual({
      ttlMs: 5_000,
      memoryTtlMs: 5_000,
    })
    expect(
      policy.ofComputed('k', 'y', { ttl: (v: string) => (v === 'x' ? 5 : 0) }, unexpected),
    ).toBeUndefined()
    expect(policy.ofComputed('k', 'x', {}, unexpected)).toBe(policy.of(undefined)) // the shared defaults: no object per call
  })

  it('a fixed ttl or memoryTtl that is no duration is found before computing', () => {
    const policy = new LifetimePolicy(60, undefined)
    expect(policy.checkFixed({ ttl: 'banana' })).toBeInstanceOf(TypeError)
    expect(policy.checkFixed({ memoryTtl: -1 })?.message).toMatch(/memoryTtl/)
    expect(policy.checkFixed({ ttl: () => 'banana', memoryTtl: '1m' })).toBeUndefined()
    expect(policy.checkFixed({ ttl: 0 })).toBeUndefined()
  })

  it('a policy that fails on the value says "do not store" and reports a PolicyError naming the option and key', () => {
    const policy = new LifetimePolicy(60, undefined)
    const errors: StorageError[] = []
    const report = (e: StorageError) => errors.push(e)
    const boom = () => {
      throw new Error('boom')
    }
    expect(policy.ofComputed('k1', 1, { shouldCache: boom }, report)).toBeUndefined()
    expect(policy.ofComputed('k2', 1, { ttl: boom }, report)).toBeUndefined()
    expect(policy.ofComputed('k3', 1, { ttl: () => 'banana' }, report)).toBeUndefined()
    expect(
      policy.ofComputed('k4', 1, { ttl: () => Infinity, memoryTtl: 'x' }, report),
    ).toBeUndefined()
    expect(errors.map((e) => [e.code, e.key, /shouldCache|ttl/.exec(e.message)?.[0]])).toEqual([
      ['E_POLICY', 'k1', 'shouldCache'],
      ['E_POLICY', 'k2', 'ttl'],
      ['E_POLICY', 'k3', 'ttl'],
      ['E_POLICY', 'k4', 'ttl'],
    ])
  })
})

describe('lifetimes through a Cache over memory and files', () => {
  it('a per-call memoryTtl longer than the cache-wide memoryTtl is kept for the promoted copy', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const open = () => new Cache({ cacheDir: dir, clock, memoryTtl: 10, cleanupInterval: false })
    const writer = open()
    await writer.set('k', 'v', { ttl: 100, memoryTtl: 50 })
    const reader = open()
    expect(await reader.get('k')).toBe('v') // promoted with min(100 s, 50 s)
    clock.advance(20_000)
    expect(reader.peek('k')?.value).toBe('v') // not cut to the cache-wide 10 s
    clock.advance(30_000)
    expect(reader.peek('k')).toBeUndefined()
    expect(await reader.get('k')).toBe('v') // from the file again
    await Promise.all([writer.close(), reader.close()])
  })

  it('an entry read from disk exactly at its expiry is a miss in both tiers', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const cache = new Cache({ cacheDir: dir, clock, cleanupInterval: false })
    await cache.set('k', 'v', 1)
    clock.advance(1000)
    expect(cache.peek('k')).toBeUndefined()
    expect(
      await new Cache({ cacheDir: dir, clock, cleanupInterval: false }).get('k'),
    ).toBeUndefined()
    await cache.close()
  })
})
