import { createClient } from 'redis'
import { Cache, MemoryTier } from '../../src'
import { RedisBus } from '../../src/redis'
import { encodeBusMessage } from '../../src/storage/bus'
import { eventually } from '../helpers/eventually'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

jest.setTimeout(60_000)

let server: RedisServer
beforeEach(async () => {
  server = await startRedisServer()
})
afterEach(async () => {
  server.resume()
  await server.stop()
})

let open: Cache[] = []
afterEach(async () => {
  await Promise.all(open.map((cache) => cache.close()))
  open = []
})

/** A memory-only cache on `bus`: what a receiver of the fleet keeps. */
function receiver(bus: RedisBus): Cache {
  const cache = new Cache({ tiers: [new MemoryTier()], bus, cleanupInterval: false })
  open.push(cache)
  return cache
}

/** Generous bounds: the properties are "noticed" and "back", not speeds; a loaded machine must not fail them. */
const NOTICED_MS = 20_000

describe('RedisBus liveness check', () => {
  it('a frozen server (SIGSTOP: the connection stays up, nothing answers) counts as a lost subscription; once it answers, the subscription is back and the memory tier was dropped', async () => {
    const channel = `${uniquePrefix('live')}bus`
    const bus = new RedisBus({
      url: server.url,
      channel,
      liveness: { interval: '100ms', timeout: '200ms' },
    })
    const cache = receiver(bus)
    await eventually(() => bus.subscribed, 'the bus subscribed')
    await cache.set('k', 1)
    expect(cache.memoryCache.has('k')).toBe(true)

    server.pause()
    await eventually(() => !bus.subscribed, 'the bus noticed the frozen server', NOTICED_MS)
    server.resume()
    await eventually(() => bus.subscribed, 'the subscription is back', NOTICED_MS)
    expect(cache.memoryCache.has('k')).toBe(false) // messages may have been lost meanwhile

    // And it receives again.
    await cache.set('k', 2)
    const sender = createClient({ url: server.url })
    await sender.connect()
    try {
      await sender.publish(channel, encodeBusMessage('other', { key: 'k' }))
      await eventually(() => !cache.memoryCache.has('k'), 'a message after the outage arrived')
    } finally {
      await sender.close()
    }
  })

  it('a live server is not mistaken for a frozen one: the subscription stays up across many liveness checks', async () => {
    const bus = new RedisBus({
      url: server.url,
      channel: `${uniquePrefix('live')}bus`,
      liveness: { interval: '20ms', timeout: '500ms' },
    })
    const cache = receiver(bus)
    await eventually(() => bus.subscribed, 'the bus subscribed')
    await cache.set('k', 1)
    const admin = createClient({ url: server.url })
    await admin.connect()
    try {
      // Many intervals go by; every PING is answered, so the subscriber keeps its connection.
      const pings = async () => {
        const info = await admin.info('commandstats')
        return Number(/cmdstat_ping:calls=(\d+)/.exec(info)?.[1] ?? 0)
      }
      const before = await pings()
      for (let waited = 0; (await pings()) < before + 20 && waited < 200; waited++)
        await new Promise((resolve) => setTimeout(resolve, 50))
      expect(await pings()).toBeGreaterThanOrEqual(before + 20)
      expect(bus.subscribed).toBe(true)
      expect(cache.memoryCache.has('k')).toBe(true) // no reconnect, so nothing was dropped
    } finally {
      await admin.close()
    }
  })

  it('is on by default, can be turned off, and its options are checked', () => {
    expect(() => new RedisBus({ url: server.url, liveness: { interval: 0 } })).toThrow(TypeError)
    expect(() => new RedisBus({ url: server.url, liveness: { timeout: '-1s' } })).toThrow(TypeError)
    expect(() => new RedisBus({ url: server.url, liveness: { interval: Infinity } })).toThrow(
      TypeError,
    )
    void new RedisBus({ url: server.url, liveness: false }).close()
  })

  it("a user's client built with socket options (no url): the subscriber it duplicates reaches the same server", async () => {
    const client = createClient({ socket: { host: '127.0.0.1', port: server.port } })
    client.on('error', () => {})
    await client.connect()
    try {
      const channel = `${uniquePrefix('live')}bus`
      const bus = new RedisBus({ client, channel })
      const cache = receiver(bus)
      await eventually(() => bus.subscribed, 'the bus subscribed', NOTICED_MS)
      await cache.set('k', 1)
      await client.publish(channel, encodeBusMessage('other', { key: 'k' }))
      await eventually(() => !cache.memoryCache.has('k'), 'the message arrived')
    } finally {
      client.destroy()
    }
  })
})
