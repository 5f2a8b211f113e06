import { createClient } from 'redis'
import { Cache, MemoryTier, type StorageError } from '../../src'
import { RedisBus, type RedisBusOptions } from '../../src/redis'
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
function receiver(bus: RedisBus, onError?: (error: StorageError) => void): Cache {
  const cache = new Cache({
    tiers: [new MemoryTier()],
    bus,
    cleanupInterval: false,
    ...(onError && { onError }),
  })
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

  it('a bus whose server is gone closes within its commandTimeout, liveness checks in flight or not', async () => {
    for (let round = 0; round < 5; round++) {
      const bus = new RedisBus({
        url: server.url,
        channel: `${uniquePrefix('live')}bus`,
        commandTimeout: '300ms',
        liveness: { interval: '20ms', timeout: '500ms' },
      })
      const cache = receiver(bus)
      await eventually(() => bus.subscribed, 'the bus subscribed', NOTICED_MS)
      await cache.set('k', round)
      await new Promise((resolve) => setTimeout(resolve, 10 * round)) // a PING may be on its way
      await server.kill()
      const started = performance.now()
      await cache.close()
      expect(performance.now() - started).toBeLessThan(5_000)
      await server.restart()
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

/** A plain subscriber with no liveness check: its connection outlives a freeze, so it misses nothing. */
async function listen(channel: string) {
  const subscriber = createClient({ url: server.url })
  subscriber.on('error', () => {})
  await subscriber.connect()
  const seen: string[] = []
  await subscriber.subscribe(channel, (message) => void seen.push(message))
  return { seen, close: () => subscriber.close() }
}

let users: { destroy(): void }[] = []
afterEach(() => {
  for (const client of users) client.destroy()
  users = []
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('RedisBus publisher on a frozen server', () => {
  it.each([
    ['its own publisher (url)', async (): Promise<RedisBusOptions> => ({ url: server.url })],
    [
      "a user's client (node-redis's own timeout only covers a command not yet written)",
      async (): Promise<RedisBusOptions> => {
        const client = createClient({ url: server.url })
        client.on('error', () => {})
        users.push(client)
        await client.connect()
        return { client }
      },
    ],
  ])(
    'a publish to a frozen server gives up after commandTimeout and goes to the retry queue (a queue of one overflows, and onError hears it while the server is still frozen): %s',
    async (_, source) => {
      const errors: StorageError[] = []
      const bus = new RedisBus({
        ...(await source()),
        channel: `${uniquePrefix('live')}bus`,
        commandTimeout: '200ms',
        queueSize: 1,
        liveness: false, // the bound alone, without the connection being dropped
      })
      const cache = receiver(bus, (error) => void errors.push(error))
      await eventually(() => bus.subscribed, 'the bus subscribed')

      server.pause()
      const frozenAt = performance.now()
      for (let i = 0; i < 3; i++) await cache.set(`k${i}`, i) // three publishes, each sent at once
      await eventually(() => errors.length > 0, 'the queue of one overflowed', 3_000)
      expect(performance.now() - frozenAt).toBeLessThan(3_000) // still frozen: nothing was answered
      expect(errors[0]!.message).toMatch(/retry queue full/)
    },
  )

  it('publishes made while the server is frozen reach the subscribers once it answers again', async () => {
    const channel = `${uniquePrefix('live')}bus`
    const listener = await listen(channel)
    try {
      const bus = new RedisBus({
        url: server.url,
        channel,
        commandTimeout: '200ms',
        liveness: { interval: '100ms', timeout: '200ms' },
      })
      const cache = receiver(bus)
      await eventually(() => bus.subscribed, 'the bus subscribed')

      server.pause()
      for (let i = 0; i < 5; i++) {
        await cache.delete(`k${i}`)
        await sleep(100) // some before, some after the publisher's connection is dropped
      }
      await sleep(500)
      server.resume()
      for (let i = 0; i < 5; i++)
        await eventually(
          () => listener.seen.some((text) => JSON.parse(text).key === `k${i}`),
          `the delete of k${i} was heard`,
          NOTICED_MS,
        )
    } finally {
      await listener.close()
    }
  })

  it("the bus's own publisher is made again after a freeze longer than liveness interval + timeout, as its subscriber is", async () => {
    const bus = new RedisBus({
      url: server.url,
      channel: `${uniquePrefix('live')}bus`,
      liveness: { interval: '100ms', timeout: '200ms' },
    })
    const cache = receiver(bus)
    await eventually(() => bus.subscribed, 'the bus subscribed')
    await cache.set('k', 1) // the publisher is connected and has sent
    const admin = createClient({ url: server.url })
    await admin.connect()
    try {
      const adminId = String(await admin.sendCommand(['CLIENT', 'ID']))
      const busIds = async () =>
        String(await admin.sendCommand(['CLIENT', 'LIST']))
          .trim()
          .split('\n')
          .map((line) => /\bid=(\d+)/.exec(line)![1]!)
          .filter((id) => id !== adminId)
      const before = await busIds()
      expect(before).toHaveLength(2) // publisher and subscriber

      server.pause()
      await sleep(1_500)
      server.resume()
      await eventually(() => bus.subscribed, 'the subscription is back', NOTICED_MS)
      let now: string[] = []
      for (const deadline = Date.now() + NOTICED_MS; Date.now() < deadline; await sleep(50)) {
        now = await busIds()
        if (now.length === 2 && now.every((id) => !before.includes(id))) break
      }
      expect(now.filter((id) => before.includes(id))).toEqual([]) // neither connection is the old one
      expect(now).toHaveLength(2)
    } finally {
      await admin.close()
    }
  })
})
