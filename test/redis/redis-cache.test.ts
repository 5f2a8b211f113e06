import { randomBytes } from 'node:crypto'
import { Cache, MemoryTier, type StorageError } from '../../src'
import { RedisTier } from '../../src/redis'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

jest.setTimeout(30_000)

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server.stop())

/** A Cache as a worker of a fleet builds it: memory, then the shared Redis tier. */
function worker(prefix: string, onError?: (err: StorageError) => void) {
  return new Cache({
    tiers: [
      new MemoryTier(),
      new RedisTier({
        url: server.url,
        prefix,
        commandTimeout: '200ms',
        breaker: { failures: 2, cooldown: '1s' },
      }),
    ],
    cleanupInterval: false,
    ...(onError && { onError }),
  })
}

describe('Cache over memory and Redis', () => {
  it('a value one worker stored is served to another from Redis, with its types', async () => {
    const prefix = uniquePrefix('cache')
    const [a, b] = [worker(prefix), worker(prefix)]
    try {
      const value = { at: new Date(7), thumbnail: randomBytes(50_000), tags: new Set(['x']) }
      await a.set('video_1', value, 60)
      const got = await b.get<typeof value>('video_1')
      expect(got!.at).toEqual(new Date(7))
      expect(got!.thumbnail.equals(value.thumbnail)).toBe(true)
      expect(got!.tags).toEqual(new Set(['x']))

      await a.set('video_2', 2, 60)
      await a.set('audio_1', 3, 60)
      expect(await a.clear('video_*')).toBeGreaterThanOrEqual(2)
      const c = worker(prefix) // a fresh memory tier: what Redis holds now
      try {
        expect(await c.get('video_1')).toBeUndefined()
        expect(await c.get('video_2')).toBeUndefined()
        expect(await c.get('audio_1')).toBe(3)
      } finally {
        await c.close()
      }
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('while Redis is down, getOrSet still returns results and failures reach onError', async () => {
    const errors: StorageError[] = []
    const cache = worker(uniquePrefix('down'), (err) => errors.push(err))
    try {
      expect(await cache.getOrSet('k', async () => 1, 60)).toBe(1)
      await server.kill()
      for (let i = 0; i < 20; i++)
        expect(await cache.getOrSet(`k${i}`, async () => i * 10, 60)).toBe(i * 10)
      expect(errors.length).toBeGreaterThan(0)
      expect(errors.every((err) => err.tier === 'redis')).toBe(true)
    } finally {
      await server.restart()
      await cache.close()
    }
  })
})
