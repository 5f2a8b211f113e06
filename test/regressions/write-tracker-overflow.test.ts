import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'
import { gate } from '../helpers/gate'

/**
 * Regression, found by the second review (c389428, WriteTracker): writes are remembered for *every* key while any watch is open, and after
 * 16 384 distinct keys the tracker forgets them and bumps the epoch, which every open watch reads as "my key
 * changed". A long computation whose key nobody touched then loses its result (not stored), contradicting the
 * README ("a result computed while its key was set, deleted, invalidated or cleared ... is not stored" — only
 * then). Before c389428 only watched keys were remembered, and these tests pass.
 *
 * Fixed: the tracker keeps a record per watched key again (dropped with its last watch), so writes to other
 * keys never count, and nothing needs a bound.
 */

useTempDirs()

describe('writes to other keys never keep a long computation from being stored', () => {
  it('memory-only cache: 20 000 other keys stored during a long computation', async () => {
    const cache = new Cache({
      tiers: [new MemoryTier({ maxEntries: 100_000 })],
      cleanupInterval: false,
    })
    try {
      const slow = gate<string>()
      const loading = cache.getOrSet('video:analysis:42', () => slow.promise)
      // Meanwhile the application caches other, unrelated results (plain misses computed and stored).
      for (let i = 0; i < 20_000; i++) await cache.getOrSet(`thumb:${i}`, () => i)
      slow.open('expensive result')
      expect(await loading).toBe('expensive result')
      await Promise.resolve()
      expect(cache.peek('video:analysis:42')?.value).toBe('expensive result')
    } finally {
      await cache.close()
    }
  })

  describe('memory + file cache', () => {
    let dir: string
    const open = openCaches(() => ({ cacheDir: dir }))
    beforeEach(() => {
      dir = makeTempDir()
    })

    it('memory + file: with a computation that never settles, and 20 000 keys written during a long one', async () => {
      const cache = open()
      // One hung computation (an upstream call without a timeout): its watch stays open for ever, so the
      // tracker never forgets and keeps counting towards the epoch bump for the rest of the process.
      void cache.getOrSet('hung', () => new Promise<string>(() => {}))
      const analyse = withCache(
        async (id: string, release: Promise<void>) => (await release, `analysis of ${id}`),
        {
          cache,
          key: (id) => `analysis:${id}`,
        },
      )
      const release = gate()
      const running = analyse('v1', release.promise)
      // Other traffic: set() of distinct keys (memory-only writes via a second cache would not count; these do).
      for (let i = 0; i < 20_000; i += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, j) => cache.set(`other:${i + j}`, i + j)))
      }
      release.open()
      expect(await running).toBe('analysis of v1')
      expect(await cache.get('analysis:v1')).toBe('analysis of v1')
    }, 60_000)
  })
})
