import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { getDefaultCache, setDefaultCache } from '../../src/memoize/default-cache'
import { withCache } from '../../src/memoize/with-cache'

describe('the default cache', () => {
  let previous: Cache
  const made: Cache[] = []
  beforeEach(() => {
    previous = getDefaultCache()
  })
  afterEach(async () => {
    setDefaultCache(previous)
    await Promise.all(made.splice(0).map((cache) => cache.close()))
  })
  const memoryCache = () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    made.push(cache)
    return cache
  }

  it('is one Cache, created on first use and the same on every call', () => {
    expect(getDefaultCache()).toBeInstanceOf(Cache)
    expect(getDefaultCache()).toBe(getDefaultCache())
  })

  it('setDefaultCache replaces it for getDefaultCache and for withCache without a cache', async () => {
    const mine = memoryCache()
    setDefaultCache(mine)
    expect(getDefaultCache()).toBe(mine)
    const double = withCache(async (n: number) => n * 2, { namespace: 'default-cache-test' })
    expect(await double(21)).toBe(42)
    expect(await mine.get(double.keyFor(21))).toBe(42)
  })

  it('is shared through the process-wide slot, so another copy of the library sees it', () => {
    const mine = memoryCache()
    setDefaultCache(mine)
    const slot = (globalThis as Record<symbol, { cache?: Cache }>)[
      Symbol.for('tiercache.default-cache.v1')
    ]
    expect(slot?.cache).toBe(mine)
  })
})
