import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cache, Cached, CacheConfig, getDefaultCache, MemoryTier, setDefaultCache } from '../../src'

const T0 = 1_700_000_000_000

/** Review tests of the decorators, compiled once with TC39 decorators and once with experimentalDecorators. */
export function describeDecoratorReview(): void {
  let dir: string
  let cache: Cache
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tiercache-review-'))
    const clock = { now: () => T0 } // time stands still: lifetimes can be checked exactly
    cache = new Cache({
      cacheDir: dir,
      cleanupInterval: false,
      clock,
      tiers: [new MemoryTier({ clock })],
    })
  })
  afterEach(async () => {
    await cache.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a first call without `this` (a method passed as a callback) does not lose the class config for later calls', async () => {
    const target = cache
    const previous = getDefaultCache()
    const fallback = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }) // where the entries go instead
    setDefaultCache(fallback)
    @CacheConfig({ namespace: 'video', version: 2, cache: target })
    class VideoService {
      @Cached()
      async getVideoMetadata(videoId: string) {
        return { videoId }
      }
    }
    const service = new VideoService()
    const detached = service.getVideoMetadata
    await detached('a') // e.g. ids.map(service.getVideoMetadata)
    await service.getVideoMetadata('b')
    setDefaultCache(previous)
    expect([...fallback.memoryCache.keys()]).toEqual([])
    expect([...target.memoryCache.keys()].sort()).toEqual([
      'video:VideoService.getVideoMetadata:v2:a',
      'video:VideoService.getVideoMetadata:v2:b',
    ])
  })

  it('class-level ttl applies, and @Cached options override it (checked, correct)', async () => {
    const target = cache
    @CacheConfig({ namespace: 'r', ttl: 10, cache: target })
    class S {
      @Cached()
      async a(x: number) {
        return x
      }
      @Cached({ ttl: 20 })
      async b(x: number) {
        return x
      }
    }
    const s = new S()
    await s.a(1)
    await s.b(1)
    expect(target.peek('r:S.a:v1:1')!.expiresAt).toBe(T0 + 10_000)
    expect(target.peek('r:S.b:v1:1')!.expiresAt).toBe(T0 + 20_000)
  })
}
