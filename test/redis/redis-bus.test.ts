import { createClient } from 'redis'
import { Cache, MemoryTier, type StorageError } from '../../src'
import { RedisBus, RedisTier, type BusTransport } from '../../src/redis'
import { eventually } from '../helpers/eventually'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

jest.setTimeout(60_000)

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server.stop())

let open: Cache[] = []
afterEach(async () => {
  await Promise.all(open.map((cache) => cache.close()))
  open = []
})

/** A worker's cache: memory → Redis, and a bus on `channel`. */
function worker(prefix: string, bus: RedisBus, onError?: (error: StorageError) => void): Cache {
  const cache = new Cache({
    tiers: [new MemoryTier(), new RedisTier({ url: server.url, prefix })],
    bus,
    cleanupInterval: false,
    ...(onError && { onError }),
  })
  open.push(cache)
  return cache
}

/** Messages seen on `channel` by a plain subscriber of our own. */
async function listen(channel: string) {
  const subscriber = createClient({ url: server.url })
  subscriber.on('error', () => {})
  await subscriber.connect()
  const seen: string[] = []
  await subscriber.subscribe(channel, (message) => void seen.push(message))
  return { seen, close: () => subscriber.close() }
}

/** Connections the server has open now. */
async function connectionCount(): Promise<number> {
  const admin = createClient({ url: server.url })
  await admin.connect()
  const list = await admin.sendCommand<string>(['CLIENT', 'LIST'])
  await admin.close()
  return list.trim().split('\n').length - 1 // minus this one
}

/** Polls `condition` until it holds; fails after 5 s. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 5_000; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Resolves once `count` subscribers listen on `channel`. */
async function subscribed(channel: string, count = 1): Promise<void> {
  const admin = createClient({ url: server.url })
  await admin.connect()
  try {
    await until(async () => {
      const [, n] = (await admin.sendCommand(['PUBSUB', 'NUMSUB', channel])) as [string, number]
      return Number(n) >= count
    }, `${count} subscribers on ${channel}`)
  } finally {
    await admin.close()
  }
}

describe('RedisBus', () => {
  it('a delete in one process drops the memory copy in another, and the new value is read from Redis', async () => {
    const prefix = uniquePrefix('bus')
    const channel = `${prefix}bus`
    const a = worker(prefix, new RedisBus({ url: server.url, channel }))
    const b = worker(prefix, new RedisBus({ url: server.url, channel }))
    await subscribed(channel, 2)
    await a.set('k', 'old')
    // b's first read may cross the message of that set (then it is not kept); it keeps a later one.
    await until(async () => (await b.get('k')) === 'old' && b.memoryCache.has('k'), 'b has a copy')
    await a.set('k', 'new')
    await eventually(() => !b.memoryCache.has('k'), 'b dropped its copy after a set')
    expect(await b.get('k')).toBe('new')
    await a.delete('k')
    await eventually(() => !b.memoryCache.has('k'), 'b dropped its copy after a delete')
    expect(await b.get('k')).toBeUndefined()
  })

  it('publishes one small message per change, with the keys or the pattern and never the value', async () => {
    const prefix = uniquePrefix('bus')
    const channel = `${prefix}bus`
    const listener = await listen(channel)
    try {
      const a = worker(prefix, new RedisBus({ url: server.url, channel }))
      await a.set('video_1', 'x'.repeat(10_000))
      await a.delete('video_1')
      await a.clear('video_*')
      await eventually(() => listener.seen.length === 3, 'three messages')
      const messages = listener.seen.map((text) => JSON.parse(text) as Record<string, unknown>)
      expect(messages.map(({ key, glob }) => key ?? glob)).toEqual([
        'video_1',
        'video_1',
        'video_*',
      ])
      expect(new Set(messages.map(({ from }) => from)).size).toBe(1)
      expect(Math.max(...listener.seen.map((text) => text.length))).toBeLessThan(100)
    } finally {
      await listener.close()
    }
  })

  it("a user's client stays open on close; the subscriber the bus duplicated from it is closed", async () => {
    const client = createClient({ url: server.url })
    client.on('error', () => {})
    await client.connect()
    try {
      const before = await connectionCount()
      const prefix = uniquePrefix('bus')
      const cache = worker(prefix, new RedisBus({ client, channel: `${prefix}bus` }))
      await subscribed(`${prefix}bus`)
      await cache.close()
      // The tier's own url client and the duplicate are gone; the user's is still there and works.
      await until(async () => (await connectionCount()) === before, 'the connections were closed')
      expect(client.isOpen).toBe(true)
      expect(await client.ping()).toBe('PONG')
    } finally {
      client.destroy()
    }
  })

  it('a bus made from a url closes both of its connections', async () => {
    const before = await connectionCount()
    const prefix = uniquePrefix('bus')
    const bus = new RedisBus({ url: server.url, channel: `${prefix}bus` })
    const cache = new Cache({ tiers: [new MemoryTier()], bus, cleanupInterval: false })
    await subscribed(`${prefix}bus`)
    await cache.set('k', 1)
    await until(
      async () => (await connectionCount()) === before + 2,
      'a publisher and a subscriber',
    )
    await cache.close()
    await until(async () => (await connectionCount()) === before, 'both were closed')
  })

  it('a publish that fails is retried from the queue; overflow is one StorageError and never a crash', async () => {
    let up = false
    const published: string[] = []
    const transport: BusTransport = {
      publish: async (_channel, message) => {
        if (!up) throw new Error('ECONNREFUSED')
        published.push(message)
      },
      subscribe: () => async () => {},
      close: async () => {},
    }
    const errors: StorageError[] = []
    const cache = new Cache({
      tiers: [new MemoryTier()],
      bus: new RedisBus({ connection: transport, queueSize: 5 }),
      onError: (error) => errors.push(error),
      cleanupInterval: false,
    })
    open.push(cache)
    for (let i = 0; i < 8; i++) await cache.set(`k${i}`, i)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.tier).toBe('redis')
    expect(errors[0]!.message).toMatch(/retry queue full/)
    up = true
    await eventually(
      () => published.length === 5,
      'the queue was sent once the server answered',
      5_000,
    )
    expect(published.map((text) => (JSON.parse(text) as { key: string }).key)).toEqual([
      'k3',
      'k4',
      'k5',
      'k6',
      'k7',
    ])
  })

  it('options are checked: exactly one connection, a channel, a positive queue size; one cache per bus', () => {
    expect(() => new RedisBus({})).toThrow(TypeError)
    expect(() => new RedisBus({ url: server.url, connection: {} as BusTransport })).toThrow(
      TypeError,
    )
    expect(() => new RedisBus({ url: server.url, channel: '' })).toThrow(TypeError)
    expect(() => new RedisBus({ url: server.url, queueSize: 0 })).toThrow(TypeError)
    expect(() => new RedisBus({ client: {} as never })).toThrow(TypeError)
    const transport: BusTransport = {
      publish: async () => {},
      subscribe: () => async () => {},
      close: async () => {},
    }
    const bus = new RedisBus({ connection: transport })
    open.push(new Cache({ tiers: [new MemoryTier()], bus, cleanupInterval: false }))
    expect(() => new Cache({ tiers: [new MemoryTier()], bus, cleanupInterval: false })).toThrow(
      TypeError,
    )
  })
})
