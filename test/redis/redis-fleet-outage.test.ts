import { createClient } from 'redis'
import { Cache, MemoryTier, withCache, type StorageError } from '../../src'
import { RedisBus, RedisTier } from '../../src/redis'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

jest.setTimeout(90_000)

const TIMEOUT_MS = 200
/** Generous: the property is "bounded by the command timeout", not a speed; a busy CI box must not fail it. */
const BOUND_MS = TIMEOUT_MS * 2 + 1_500

let server: RedisServer
beforeEach(async () => {
  server = await startRedisServer()
})
afterEach(() => server.stop())

/** Polls `condition` until it holds; fails after 15 s. */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 15_000; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Calls `fn` with changing arguments (some seen before the outage, some new) for `forMs`; the slowest call. */
async function callsDuring(fn: (id: number) => Promise<string>, forMs: number) {
  let slowest = 0
  let calls = 0
  for (const end = Date.now() + forMs; Date.now() < end; calls++) {
    const id = calls % 10
    const started = performance.now()
    expect(await fn(id)).toBe(`segment ${id}`)
    slowest = Math.max(slowest, performance.now() - started)
  }
  return { calls, slowest }
}

async function subscribers(channel: string): Promise<number> {
  const admin = createClient({ url: server.url })
  admin.on('error', () => {})
  try {
    await admin.connect()
    const [, n] = (await admin.sendCommand(['PUBSUB', 'NUMSUB', channel])) as [string, number]
    return Number(n)
  } catch {
    return 0
  } finally {
    if (admin.isOpen) admin.destroy()
  }
}

describe('a worker (memory → Redis + RedisBus) when Redis goes away', () => {
  it('calls keep their results within the bound, onError hears once per outage, and everything recovers by itself', async () => {
    const prefix = uniquePrefix('outage')
    const channel = `${prefix}bus`
    const errors: StorageError[] = []
    const cache = new Cache({
      tiers: [
        new MemoryTier(),
        new RedisTier({
          url: server.url,
          prefix,
          commandTimeout: `${TIMEOUT_MS}ms`,
          breaker: { failures: 2, cooldown: '300ms' },
        }),
      ],
      bus: new RedisBus({ url: server.url, channel, commandTimeout: `${TIMEOUT_MS}ms` }),
      onError: (error) => errors.push(error),
      cleanupInterval: false,
    })
    const probe = new RedisTier({ url: server.url, prefix, breaker: false })
    const segment = withCache(async (id: number) => `segment ${id}`, {
      cache,
      key: (id) => `seg_${id}`,
    })
    try {
      await until(async () => (await subscribers(channel)) === 1, 'the bus subscribed')
      for (let id = 0; id < 5; id++) await segment(id)
      expect(cache.memoryCache.size).toBe(5)

      const outcomes = []
      for (let outage = 1; outage <= 2; outage++) {
        await server.kill() // SIGKILL, in the middle of a run of calls
        const during = await callsDuring(segment, 1_500)
        expect(during.slowest).toBeLessThan(BOUND_MS)
        expect(errors).toHaveLength(outage) // one per outage, not one per call
        expect(errors.at(-1)!.tier).toBe('redis')

        await server.restart() // same port, empty: no process restarts
        // The bus's subscriber is back, and the memory copies from before the outage are gone: the
        // messages sent meanwhile may have been lost.
        await until(async () => (await subscribers(channel)) === 1, 'the bus subscribed again')
        await until(
          () => [0, 1, 2, 3, 4].every((id) => !cache.memoryCache.has(`seg_${id}`)),
          'memory was dropped',
        )
        // The tier recovers by itself, after its cooldown: a computed value reaches Redis again.
        await until(async () => {
          await segment.refresh(99)
          // The probe's own client may still be reconnecting: its failure means "not yet".
          return (await probe.get('seg_99').catch(() => undefined)) !== undefined
        }, 'the tier wrote to Redis again')
        outcomes.push(during)
        for (let id = 0; id < 5; id++) await segment(id) // memory copies for the next outage
      }
      console.log(`outage: ${JSON.stringify({ outcomes, errors: errors.length })}`)
      expect(errors).toHaveLength(2)
    } finally {
      await Promise.all([cache.close(), probe.close()])
    }
  })
})
