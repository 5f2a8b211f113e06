import { createClient, createCluster } from 'redis'
import { compilePattern } from '../../src/core/pattern'
import { RedisTier } from '../../src/redis'
import { makeEntry } from '../../src/testing/tier-suite'
import { startRedisCluster, uniquePrefix, type RedisCluster } from '../helpers/redis-server'

// Three redis-server processes and `redis-cli --cluster create`: slower to start than one server.
jest.setTimeout(60_000)

let cluster: RedisCluster
let client: ReturnType<typeof createCluster>
let tier: RedisTier
/** One plain client per master, to see where keys really are. */
let masters: ReturnType<typeof createClient>[]

beforeAll(async () => {
  cluster = await startRedisCluster()
  client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) })
  client.on('error', () => {})
  await client.connect()
  masters = cluster.urls.map((url) => createClient({ url }))
  await Promise.all(masters.map((master) => master.connect()))
})
afterAll(async () => {
  await Promise.all(masters.map((master) => master.close()))
  await client.close()
  await cluster.stop()
})
beforeEach(() => {
  tier = new RedisTier({ client, prefix: uniquePrefix('cluster') })
})
afterEach(() => tier.close())

/** How many keys of the tier's prefix each master holds. */
const keysPerMaster = (pattern = '*') =>
  Promise.all(masters.map(async (master) => (await master.keys(`${tier.prefix}${pattern}`)).length))

describe('RedisTier on a 3-master Redis Cluster', () => {
  const keys = [
    ...Array.from({ length: 30 }, (_, i) => `video_${i}`),
    ...Array.from({ length: 30 }, (_, i) => `audio_${i}`),
  ]
  const fill = () =>
    Promise.all(keys.map((key) => tier.set(makeEntry(key, { key }, Date.now() + 60_000))))

  it('set and get reach keys on every master', async () => {
    await fill()
    const perMaster = await keysPerMaster()
    expect(perMaster.every((count) => count > 0)).toBe(true) // the keys really are spread
    expect(perMaster.reduce((a, b) => a + b)).toBe(keys.length)
    for (const key of keys) expect((await tier.get(key))?.value).toEqual({ key })
    expect((await tier.stats()).entries).toBe(keys.length)
  })

  it('clear(pattern) removes matches on every master, and only them', async () => {
    await fill()
    expect((await keysPerMaster('video_*')).every((count) => count > 0)).toBe(true)
    expect(await tier.clear(compilePattern('video_*'))).toBe(30)
    expect(await keysPerMaster('video_*')).toEqual([0, 0, 0])
    expect((await keysPerMaster('audio_*')).reduce((a, b) => a + b)).toBe(30)
    expect(await tier.clear(compilePattern(/^audio_1/))).toBe(11) // audio_1, audio_10..19
    expect(await tier.delete('audio_2')).toBe(true)
    expect(await tier.clear()).toBe(18)
    expect(await keysPerMaster()).toEqual([0, 0, 0])
  })
})
