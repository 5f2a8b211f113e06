import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FakeClock } from '../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

/** Blocks the event loop for `ms` (CPU-bound work between two cache reads, as a pipeline step would). */
function busy(ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) {
    /* spin */
  }
}

describe('TTL on the system clock (the memory tier reads a coarse clock)', () => {
  it('does not serve a memory entry after it expired, however long the event loop was busy', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    await cache.set('k', 'v', '50ms')
    busy(120) // no timer can run: only awaits of settled promises between the two reads
    expect(await cache.get('k')).toBeUndefined()
    await cache.close()
  })

  it('jest modern fake timers: setSystemTime past the expiry makes the entry a miss (README, "Testing")', async () => {
    jest.useFakeTimers()
    try {
      const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
      await cache.set('k', 'v', 60)
      expect(await cache.get('k')).toBe('v')
      jest.setSystemTime(Date.now() + 2 * 60_000)
      expect(await cache.get('k')).toBeUndefined()
      await cache.close()
    } finally {
      jest.useRealTimers()
    }
  })
})

describe('lifetimes (checked, correct)', () => {
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
