import { createCluster } from 'redis'
import { compilePattern } from '../../src/core/pattern'
import { RedisTier } from '../../src/redis'
import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { makeEntry } from '../../src/testing/tier-suite'
import { startRedisCluster, uniquePrefix, type RedisCluster } from '../helpers/redis-server'

// Three redis-server processes and `redis-cli --cluster create`: slower to start than one server.
jest.setTimeout(60_000)

let cluster: RedisCluster
let client: ReturnType<typeof createCluster>

beforeAll(async () => {
  cluster = await startRedisCluster()
  client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) })
  client.on('error', () => {})
  await client.connect()
})
afterAll(async () => {
  await client.close()
  await cluster.stop()
})

describe('listing keys on a 3-master Redis Cluster', () => {
  const keys = [
    ...Array.from({ length: 30 }, (_, i) => `video_${i}`),
    ...Array.from({ length: 30 }, (_, i) => `audio_${i}`),
  ]

  it("RedisTier.keys() scans every master: each key once, a glob's matches only", async () => {
    const tier = new RedisTier({ client, prefix: uniquePrefix('cluster-keys'), scanCount: 7 })
    await Promise.all(keys.map((key) => tier.set(makeEntry(key, key, Date.now() + 60_000))))
    const listed: string[] = []
    for await (const key of tier.keys()) listed.push(key)
    expect(listed.sort()).toEqual([...keys].sort())
    const videos: string[] = []
    for await (const key of tier.keys(compilePattern('video_*'))) videos.push(key)
    expect(videos.sort()).toEqual(keys.filter((key) => key.startsWith('video_')).sort())
    await tier.clear()
  })

  it('cache.keys() over memory and the cluster lists each key once', async () => {
    const redis = new RedisTier({ client, prefix: uniquePrefix('cluster-cache-keys') })
    const cache = new Cache({ tiers: [new MemoryTier(), redis], cleanupInterval: false })
    await Promise.all(keys.map((key) => cache.set(key, key))) // in memory and in Redis
    await redis.set(makeEntry('redis-only', 1, Date.now() + 60_000))
    const listed: string[] = []
    for await (const key of cache.keys()) listed.push(key)
    expect(listed.sort()).toEqual([...keys, 'redis-only'].sort())
    await cache.clear()
    await redis.close()
  })
})
