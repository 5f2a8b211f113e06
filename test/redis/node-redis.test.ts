import { createClient } from 'redis'
import type { RedisConnection } from '../../src/redis/connection'
import { adoptNodeRedis, isNodeRedisCluster, openNodeRedis } from '../../src/redis/node-redis'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
}, 60_000)
afterAll(() => server.stop())

/** Every command of the RedisConnection contract against the real server, through `connection`. */
async function exerciseConnection(connection: RedisConnection): Promise<void> {
  const prefix = uniquePrefix('node-redis')
  const binaryKey = Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, 0x00, 0xfe])])
  const value = Buffer.from([0, 1, 2, 255])
  await connection.set(binaryKey, value)
  expect(await connection.get(binaryKey)).toEqual(value)
  await connection.set(`${prefix}text`, 'é', Date.now() + 60_000)
  expect((await connection.get(`${prefix}text`))?.toString()).toBe('é')
  expect(await connection.strlen([`${prefix}text`, `${prefix}missing`])).toEqual([2, 0])

  const [node] = await connection.scanNodes()
  const seen: Buffer[] = []
  let cursor = '0'
  do {
    const [next, keys] = await node!.scan(cursor, Buffer.from(`${prefix}*`), 100)
    seen.push(...keys)
    cursor = next
  } while (cursor !== '0')
  expect(seen.map((key) => key.toString('hex')).sort()).toEqual(
    [binaryKey, Buffer.from(`${prefix}text`)].map((key) => key.toString('hex')).sort(),
  )

  expect(await connection.unlink([binaryKey, `${prefix}text`, `${prefix}missing`])).toBe(2)
  expect(await connection.unlink([])).toBe(0)
  expect(await connection.get(binaryKey)).toBeNull()
}

describe('node-redis adapters', () => {
  it('a client of tiercache’s own (url) serves every command, with keys and values as bytes', async () => {
    const opened = openNodeRedis(server.url, 5_000)
    try {
      await exerciseConnection(opened.connection)
    } finally {
      await opened.close()
    }
  })

  it('a key holding another type (a list) reads as a miss, not a failure', async () => {
    const opened = openNodeRedis(server.url, 5_000)
    const raw = createClient({ url: server.url })
    await raw.connect()
    try {
      const key = `${uniquePrefix('wrongtype')}list`
      await raw.rPush(key, 'x')
      expect(await opened.connection.get(key)).toBeNull()
    } finally {
      await Promise.all([opened.close(), raw.close()])
    }
  })

  it('a user’s client is adopted as it is, and closing the tier leaves it open', async () => {
    const client = createClient({ url: server.url })
    await client.connect()
    try {
      expect(isNodeRedisCluster(client)).toBe(false)
      const opened = adoptNodeRedis(client, 5_000)
      await exerciseConnection(opened.connection)
      await opened.close()
      expect(client.isOpen).toBe(true)
      expect(await client.ping()).toBe('PONG')
    } finally {
      await client.close()
    }
  })

  it('closing before the first connection is made does not hang', async () => {
    const opened = openNodeRedis('redis://127.0.0.1:1', 200) // nothing listens there
    await expect(opened.close()).resolves.toBeUndefined()
  })
})
