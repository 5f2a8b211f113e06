import { Cache } from '../../src/storage/cache'
import type { KeyPredicate, Tier } from '../../src/storage/tier'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { makeEntry } from '../../src/testing'
import { FakeClock } from '../../src/testing/fake-clock'
import { FailingTier } from '../helpers/failing-tier'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

describe('cache.keys()', () => {
  let clock: FakeClock
  const caches: Cache[] = []
  const later = () => clock.now() + 60_000
  const open = (tiers: Tier[]) => {
    const cache = new Cache({ tiers, clock, cleanupInterval: false, onError: () => {} })
    caches.push(cache)
    return cache
  }
  const collect = async (keys: AsyncIterable<string>) => {
    const all: string[] = []
    for await (const key of keys) all.push(key)
    return all
  }

  beforeEach(() => {
    clock = new FakeClock()
  })
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()))
  })

  it('lists each key of memory and disk once, whichever tiers hold it', async () => {
    const [memory, file] = [new MemoryTier({ clock }), new FileTier({ dir: makeTempDir(), clock })]
    const cache = open([memory, file])
    await cache.set('both', 1)
    memory.put(makeEntry('memory-only', 2, later()))
    await file.set(makeEntry('disk-only', 3, later()))
    const keys = await collect(cache.keys())
    expect(keys.sort()).toEqual(['both', 'disk-only', 'memory-only'])
  })

  it('lists a key that two persistent tiers hold once', async () => {
    const [upper, lower] = [makeTempDir(), makeTempDir()].map((dir) => new FileTier({ dir, clock }))
    const cache = open([new MemoryTier({ clock }), upper!, lower!])
    await cache.set('everywhere', 1)
    await upper!.set(makeEntry('upper', 2, later()))
    await lower!.set(makeEntry('lower', 3, later()))
    await lower!.set(makeEntry('upper', 4, later()))
    expect((await collect(cache.keys())).sort()).toEqual(['everywhere', 'lower', 'upper'])
  })

  it('lists only the keys a pattern matches, a glob or a RegExp', async () => {
    const cache = open([new MemoryTier({ clock }), new FileTier({ dir: makeTempDir(), clock })])
    for (const key of ['video_1', 'video_2', 'audio_1', 'Video_3']) await cache.set(key, key)
    expect((await collect(cache.keys('video_*'))).sort()).toEqual(['video_1', 'video_2'])
    expect(await collect(cache.keys(/^audio/))).toEqual(['audio_1'])
    expect(await collect(cache.keys('Video_3'))).toEqual(['Video_3'])
    expect(() => cache.keys('')).toThrow(TypeError)
  })

  it('leaves out entries that expired, in memory and on disk', async () => {
    const cache = open([new MemoryTier({ clock }), new FileTier({ dir: makeTempDir(), clock })])
    await cache.set('short', 1, 1)
    await cache.set('long', 2, 60)
    clock.advance(1_000)
    expect(await collect(cache.keys())).toEqual(['long'])
  })

  it('lists every in-memory key once even when the caller reads keys (reordering the LRU) meanwhile', async () => {
    const cache = open([new MemoryTier({ clock })])
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`)
    for (const key of keys) await cache.set(key, key)
    const listed: string[] = []
    for await (const key of cache.keys()) {
      listed.push(key)
      await cache.get(keys.find((k) => !listed.includes(k)) ?? key) // moves a key not listed yet to the front
    }
    expect(listed.sort()).toEqual([...keys].sort())
  })

  it('streams: the first keys come before a tier has been read to its end', async () => {
    let listed = 0
    const endless: Tier = Object.assign(new EmptyTier(), {
      async *keys() {
        for (;;) yield `k${listed++}`
      },
    })
    const cache = open([new MemoryTier({ clock }), endless])
    const first: string[] = []
    for await (const key of cache.keys()) if (first.push(key) === 3) break
    expect(first).toEqual(['k0', 'k1', 'k2'])
    expect(listed).toBe(3)
  })

  it('a tier that cannot list its keys makes the listing fail with a CacheError', async () => {
    const cache = open([new MemoryTier({ clock }), new EmptyTier()])
    await expect(collect(cache.keys())).rejects.toMatchObject({
      code: 'E_CACHE',
      message: expect.stringContaining('"stub" tier has no keys() method'),
    })
  })

  it('a tier failing while listing ends the listing with its StorageError, counted in stats', async () => {
    const failing = Object.assign(new FailingTier('broken'), {
      // eslint-disable-next-line require-yield
      async *keys(_match?: KeyPredicate): AsyncGenerator<string> {
        throw new Error('chaos: listing failed')
      },
    })
    const cache = open([new MemoryTier({ clock }), failing])
    await cache.set('k', 1).catch(() => {}) // the failing tier refuses the write
    await expect(collect(cache.keys())).rejects.toMatchObject({ code: 'E_STORAGE', tier: 'broken' })
    expect((await cache.stats()).errors).toBeGreaterThan(0)
  })
})

/** A tier holding nothing, without keys(). */
class EmptyTier implements Tier {
  readonly name = 'stub'
  readonly needsEncoded = true
  async get() {
    return undefined
  }
  async set() {}
  async delete() {
    return false
  }
  async clear() {
    return 0
  }
  async prune() {
    return 0
  }
  async stats() {
    return { entries: 0, bytes: 0, evictions: 0 }
  }
  async close() {}
}
