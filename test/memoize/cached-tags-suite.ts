import { Cache, Cached, CacheConfig, InvalidatesCache, MemoryTier } from '../../src'

/** Tags through the decorators; run under standard and legacy decorators (cached-tags*.test.ts). */
export function describeTaggedDecorators(): void {
  let cache: Cache
  beforeEach(() => {
    cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
  })
  afterEach(() => cache.close())

  function makeServices(target: Cache) {
    const calls: string[] = []

    @CacheConfig({ namespace: 'video', cache: target, tags: () => ['catalog'] })
    class VideoService {
      @Cached({ tags: (videoId: string) => [`video:${videoId}`] })
      async metadata(videoId: string) {
        calls.push(`metadata ${videoId}`)
        return { videoId, n: calls.length }
      }

      @Cached({ resultTags: (ids: string[]) => ids.map((id) => `video:${id}`) })
      async playlist(playlistId: string) {
        calls.push(`playlist ${playlistId}`)
        return playlistId === 'p1' ? ['abc', 'def'] : ['xyz']
      }

      @Cached()
      async count() {
        calls.push('count')
        return calls.length
      }

      @InvalidatesCache({ tags: (videoId: string) => [`video:${videoId}`] })
      async updateVideo(videoId: string) {
        calls.push(`update ${videoId}`)
      }

      @InvalidatesCache(() => [], { tags: () => ['catalog'] })
      async reindex() {}
    }
    return { service: new VideoService(), calls }
  }

  it('@Cached tags from arguments and from results; @InvalidatesCache invalidates exactly those', async () => {
    const { service, calls } = makeServices(cache)
    await service.metadata('abc')
    await service.metadata('xyz')
    await service.playlist('p1')
    await service.playlist('p2')
    calls.length = 0
    await service.updateVideo('abc')
    await service.metadata('abc')
    await service.metadata('xyz')
    await service.playlist('p1')
    await service.playlist('p2')
    expect(calls).toEqual(['update abc', 'metadata abc', 'playlist p1'])
  })

  it('@CacheConfig tags are added to every cached method of the class', async () => {
    const { service, calls } = makeServices(cache)
    await service.metadata('abc')
    await service.playlist('p2')
    await service.count()
    calls.length = 0
    await service.reindex()
    await service.metadata('abc')
    await service.playlist('p2')
    await service.count()
    expect(calls).toEqual(['metadata abc', 'playlist p2', 'count'])
  })
}
