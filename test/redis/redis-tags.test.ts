import { createClient } from 'redis'
import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { RedisTier } from '../../src/redis'
import { makeEntry } from '../../src/testing'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server.stop())

const opened: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()))
})
const tier = (prefix: string) => {
  const made = new RedisTier({ url: server.url, prefix })
  opened.push(made)
  return made
}

describe('tag counters in Redis', () => {
  it('INCR counters shared by every tier on the prefix', async () => {
    const prefix = uniquePrefix('tags')
    const [a, b] = [tier(prefix), tier(prefix)]
    expect(await a.tagVersions(['video:abc'])).toEqual([0])
    expect(await a.bumpTags(['video:abc'])).toEqual([1])
    expect(await b.bumpTags(['video:abc', 'video:xyz'])).toEqual([2, 1])
    expect(await a.tagVersions(['video:abc', 'video:xyz'])).toEqual([2, 1])
    expect(await tier(uniquePrefix('other')).tagVersions(['video:abc'])).toEqual([0])
  })

  it('are no entries: an entry keyed tag:<tag> stays apart, clear() and stats() leave the counters out', async () => {
    const redis = tier(uniquePrefix('tags'))
    await redis.bumpTags(['x'])
    await redis.set(makeEntry('tag:x', 'an entry', Date.now() + 60_000))
    expect((await redis.get('tag:x'))?.value).toBe('an entry')
    expect((await redis.stats()).entries).toBe(1)
    expect(await redis.clear()).toBe(1)
    expect(await redis.tagVersions(['x'])).toEqual([1])
  })

  it('a counter key that holds no count is a StorageError, so tagged entries are misses, never hits', async () => {
    const prefix = uniquePrefix('tags')
    const redis = tier(prefix)
    const cache = new Cache({ tiers: [redis], cleanupInterval: false, onError: () => {} })
    opened.push(cache)
    await cache.set('k', 1, { tags: ['t'] })
    const raw = createClient({ url: server.url })
    await raw.connect()
    await raw.set(
      Buffer.concat([Buffer.from(prefix), Buffer.of(0xff), Buffer.from('tag:t')]),
      'junk',
    )
    await raw.close()
    await expect(redis.tagVersions(['t'])).rejects.toMatchObject({
      name: 'StorageError',
      tier: 'redis',
    })
    expect(await cache.getOrSet('k', () => 2, { tags: ['t'] })).toBe(2) // computed: the stored 1 is no hit
  })

  it('a cache over memory → Redis: another cache on the prefix reads the invalidation from Redis, without a bus', async () => {
    const prefix = uniquePrefix('tags')
    const make = () => {
      const cache = new Cache({
        tiers: [new MemoryTier(), tier(prefix)],
        cleanupInterval: false,
      })
      opened.push(cache)
      return cache
    }
    const [a, b] = [make(), make()]
    await a.set('k', 1, { tags: ['video:abc'] })
    await a.invalidateTags(['video:abc'])
    expect(await b.get('k')).toBeUndefined()
    await b.set('k', 2, { tags: ['video:abc'] })
    expect(await make().get('k')).toBe(2)
  })
})
