import { MemoryTier } from '../../../src/storage/tiers/memory'
import { describeTier, makeEntry } from '../../../src/testing'
import { FakeClock } from '../../../src/testing/fake-clock'
import { Cache } from '../../../src/storage/cache'

const test = { describe, it, expect, beforeEach, afterEach }
describeTier({
  name: 'MemoryTier',
  make: (clock) => new MemoryTier({ clock }),
  inProcess: true,
  test,
})
describeTier({
  name: 'MemoryTier (byte-bounded)',
  make: (clock) => new MemoryTier({ clock, maxBytes: 10_000_000, maxEntryBytes: 1_000_000 }),
  inProcess: true,
  test,
})

describe('MemoryTier', () => {
  const clock = new FakeClock()
  const later = () => clock.now() + 60_000
  /** An entry whose encoded text is exactly `size` characters long. */
  const sized = (key: string, size: number) => {
    const entry = makeEntry(key, 'x'.repeat(size - 2), later()) // JSON adds two quotes
    expect(entry.encoded).toHaveLength(size)
    return entry
  }

  it('a hit returns the identical object, neither copied nor decoded', async () => {
    const value = { frames: [1, 2, 3], meta: new Map([['fps', 30]]) }
    const tier = new MemoryTier({ clock })
    await tier.set(makeEntry('k', value, later()))
    expect((await tier.get('k'))?.value).toBe(value)
    expect(tier.peek('k')?.value).toBe(value)
  })

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const tier = new MemoryTier({ clock, maxEntries: 3 })
    for (const key of ['a', 'b', 'c']) await tier.set(makeEntry(key, key, later()))
    expect(await tier.get('a')).toBeDefined() // 'a' is now the most recent; 'b' the least
    await tier.set(makeEntry('d', 'd', later()))
    expect(tier.size).toBe(3)
    expect(await tier.get('b')).toBeUndefined()
    for (const key of ['a', 'c', 'd']) expect((await tier.get(key))?.value).toBe(key)
    expect((await tier.stats()).evictions).toBe(1)
  })

  it('evicts the least recently used entries beyond maxBytes, and counts bytes exactly', async () => {
    const tier = new MemoryTier({ clock, maxBytes: 100, maxEntryBytes: 100 })
    await tier.set(sized('a', 40))
    await tier.set(sized('b', 40))
    expect(await tier.stats()).toEqual({ entries: 2, bytes: 80, evictions: 0 })
    await tier.get('a')
    await tier.set(sized('c', 40)) // 120 > 100: the least recent, 'b', goes
    expect(await tier.get('b')).toBeUndefined()
    expect(await tier.get('a')).toBeDefined()
    expect(await tier.stats()).toEqual({ entries: 2, bytes: 80, evictions: 1 })
  })

  it('keeps the byte count right through replace, delete, expiry and clear', async () => {
    const tier = new MemoryTier({ clock, maxBytes: 1_000 })
    await tier.set(sized('a', 30))
    await tier.set(sized('a', 50))
    expect((await tier.stats()).bytes).toBe(50)
    await tier.set(sized('b', 20))
    await tier.delete('a')
    expect((await tier.stats()).bytes).toBe(20)
    await tier.set({ ...sized('c', 10), expiresAt: clock.now() + 1 })
    clock.advance(1)
    expect(await tier.get('c')).toBeUndefined()
    expect(await tier.stats()).toMatchObject({ entries: 1, bytes: 20 })
    await tier.clear()
    expect(await tier.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 })
  })

  it('skips an entry larger than maxEntryBytes, and drops the older copy of its key', async () => {
    const tier = new MemoryTier({ clock, maxEntryBytes: 10 })
    expect(tier.needsEncoded).toBe(true)
    await tier.set(sized('k', 10))
    expect((await tier.get('k'))?.value).toBe('x'.repeat(8))
    await tier.set(sized('k', 11))
    expect(await tier.get('k')).toBeUndefined()
    expect(await tier.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 })
  })

  it('maxEntryBytes defaults to a quarter of maxBytes', async () => {
    const tier = new MemoryTier({ clock, maxBytes: 100 })
    await tier.set(sized('fits', 25))
    await tier.set(sized('too-big', 26))
    expect(await tier.get('fits')).toBeDefined()
    expect(await tier.get('too-big')).toBeUndefined()
  })

  it('does not store an entry that is already expired', async () => {
    const tier = new MemoryTier({ clock })
    await tier.set(makeEntry('k', 1, later()))
    await tier.set(makeEntry('k', 2, clock.now()))
    expect(await tier.get('k')).toBeUndefined()
    expect(tier.size).toBe(0)
  })

  it('needs no encoded text unless it is byte-bounded', () => {
    expect(new MemoryTier().needsEncoded).toBe(false)
    expect(new MemoryTier({ maxBytes: 1_000 }).needsEncoded).toBe(true)
  })

  it('keys() lists the keys, most recently used first', async () => {
    const tier = new MemoryTier({ clock })
    for (const key of ['a', 'b', 'c']) await tier.set(makeEntry(key, key, later()))
    await tier.get('a')
    expect([...tier.keys()]).toEqual(['a', 'c', 'b'])
  })

  it.each([
    ['maxEntries', 0],
    ['maxEntries', -1],
    ['maxEntries', 1.5],
    ['maxEntries', Number.NaN],
    ['maxEntries', '10'],
    ['maxBytes', 0],
    ['maxBytes', Infinity],
    ['maxBytes', '1kb'],
    ['maxEntryBytes', 0],
    ['maxEntryBytes', 2.5],
  ])('rejects %s: %p with a TypeError naming the option', (option, value) => {
    expect(() => new MemoryTier({ [option]: value })).toThrow(TypeError)
    expect(() => new MemoryTier({ [option]: value })).toThrow(new RegExp(`^${option} option`))
  })
})

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
