import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'
import { gate } from '../helpers/gate'

/**
 * Regression, found by the second review (pre-existing: also fails at 872c4ab, both on the in-process path and the general one): a refresh()
 * that overlaps a plain call started before it. The plain call finishes first and stores its (older) result;
 * that store counts as "a write made while the refresh computed", so the refresh's newer result is NOT stored.
 * The cache ends up holding the older value although README says refresh "recomputes, stores and returns the
 * result ... whatever is cached".
 *
 * Fixed: a refresh counts as a write of its key when it starts, so older computations under way do not store.
 */

useTempDirs()

async function scenario(cache: Cache): Promise<unknown> {
  let source = 'v1'
  const plainRelease = gate()
  const refreshRelease = gate()
  const plainStarted = gate()
  const cached = withCache(
    async (id: string) => {
      const seen = `${id}:${source}`
      if (source === 'v1') plainStarted.open()
      await (source === 'v1' ? plainRelease.promise : refreshRelease.promise)
      return seen
    },
    { cache, namespace: 'refresh' },
  )
  const plain = cached('a') // a miss: computes from v1
  await plainStarted.promise
  source = 'v2'
  const refreshing = cached.refresh('a') // the data changed: recompute from v2
  plainRelease.open() // the older computation finishes first and is stored
  expect(await plain).toBe('a:v1')
  refreshRelease.open()
  expect(await refreshing).toBe('a:v2')
  await new Promise((r) => setImmediate(r))
  return cached.peek('a')
}

describe('refresh() overlapping an older plain call', () => {
  it('memory-only cache: the refreshed value is stored', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    try {
      expect(await scenario(cache)).toBe('a:v2')
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
    it('the refreshed value is stored', async () => {
      expect(await scenario(open())).toBe('a:v2')
    })
  })
})
