import { createClient, createCluster } from 'redis'
import { Cache, MemoryTier } from '../../src'
import { RedisBus, RedisTier } from '../../src/redis'
import { eventually } from '../helpers/eventually'
import { startRedisCluster, uniquePrefix, type RedisCluster } from '../helpers/redis-server'

// Three redis-server processes and `redis-cli --cluster create`: slower to start than one server.
jest.setTimeout(60_000)

let cluster: RedisCluster
let client: ReturnType<typeof createCluster>
/** One plain client per master, to see where keys and subscribers really are. */
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

let open: Cache[] = []
afterEach(async () => {
  await Promise.all(open.map((cache) => cache.close()))
  open = []
})

/** A worker of the fleet: memory → the cluster, and a bus on the cluster. */
function worker(prefix: string, channel: string) {
  const bus = new RedisBus({ client, channel })
  const cache = new Cache({
    tiers: [new MemoryTier(), new RedisTier({ client, prefix })],
    bus,
    cleanupInterval: false,
  })
  open.push(cache)
  return { cache, bus }
}

/** Sharded subscribers of `channel` on each master. */
const shardSubscribers = (channel: string) =>
  Promise.all(
    masters.map(async (master) => {
      const [, count] = (await master.sendCommand(['PUBSUB', 'SHARDNUMSUB', channel])) as [
        string,
        number,
      ]
      return Number(count)
    }),
  )

describe('RedisBus on a 3-master Redis Cluster', () => {
  it('invalidations reach the other process for keys held by every master', async () => {
    const prefix = uniquePrefix('cbus')
    const channel = `${prefix}bus`
    const a = worker(prefix, channel)
    const b = worker(prefix, channel)
    await eventually(() => a.bus.subscribed && b.bus.subscribed, 'both buses subscribed', 20_000)

    const keys = Array.from({ length: 30 }, (_, i) => `video_${i}`)
    for (const key of keys) await a.cache.set(key, 'old')
    const perMaster = await Promise.all(
      masters.map(async (master) => (await master.keys(`${prefix}*`)).length),
    )
    expect(perMaster.every((count) => count > 0)).toBe(true) // the keys really are spread
    // b's first read may cross the message of a's set (then its copy is not kept); it keeps a later one.
    for (const key of keys) {
      for (let tries = 0; !b.cache.memoryCache.has(key) && tries < 100; tries++) {
        expect(await b.cache.get(key)).toBe('old')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(b.cache.memoryCache.has(key)).toBe(true)
    }

    for (const key of keys.slice(0, 15)) await a.cache.set(key, 'new')
    for (const key of keys.slice(15)) await a.cache.delete(key)
    await eventually(
      () => keys.every((key) => !b.cache.memoryCache.has(key)),
      'b dropped every copy',
    )
    for (const key of keys.slice(0, 15)) expect(await b.cache.get(key)).toBe('new')
    for (const key of keys.slice(15)) expect(await b.cache.get(key)).toBeUndefined()
  })

  it('uses sharded Pub/Sub: both subscriptions sit on the one master that owns the channel, and close with the bus', async () => {
    const prefix = uniquePrefix('cbus')
    const channel = `${prefix}bus`
    const a = worker(prefix, channel)
    const b = worker(prefix, channel)
    await eventually(() => a.bus.subscribed && b.bus.subscribed, 'both buses subscribed', 20_000)
    const counts = await shardSubscribers(channel)
    expect([...counts].sort()).toEqual([0, 0, 2])

    await Promise.all(open.map((cache) => cache.close()))
    open = []
    let after = counts
    for (let tries = 0; after.some((count) => count > 0) && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      after = await shardSubscribers(channel)
    }
    expect(after).toEqual([0, 0, 0])
    expect(await client.get('anything')).toBeNull() // the user's cluster stays open and works
  })
})
