import { createClient } from 'redis'
import { isStorageError, type StorageError } from '../../src/core/exceptions'
import { RedisSkippedError, RedisTier, RedisTimeoutError } from '../../src/redis'
import { makeEntry } from '../../src/testing/tier-suite'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

jest.setTimeout(60_000)

const TIMEOUT_MS = 200
/** Generous: the property is "bounded by the timeout", not a speed; a busy CI machine must not fail it. */
const BOUND_MS = TIMEOUT_MS + 1_500
const bounds = { commandTimeout: `${TIMEOUT_MS}ms`, breaker: { failures: 2, cooldown: '300ms' } }

let server: RedisServer
beforeEach(async () => {
  server = await startRedisServer()
})
afterEach(() => server.stop())

interface Outcome {
  ms: number
  error?: StorageError
}

/** Runs every kind of call on `tier` for `forMs`, one after another, and how each ended. */
async function callsDuring(tier: RedisTier, forMs: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  const calls = [
    () => tier.get('k'),
    () => tier.set(makeEntry('k', 'v', Date.now() + 60_000)),
    () => tier.delete('k'),
    () => tier.clear(),
    () => tier.stats(),
  ]
  for (let i = 0, end = Date.now() + forMs; Date.now() < end; i++) {
    const started = performance.now()
    try {
      await calls[i % calls.length]!()
      outcomes.push({ ms: performance.now() - started })
    } catch (err) {
      if (!isStorageError(err)) throw err
      outcomes.push({ ms: performance.now() - started, error: err })
    }
  }
  return outcomes
}

/** Retries `get` until it answers: the tier recovering by itself, with no new instance. */
async function recovered(tier: RedisTier): Promise<boolean> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
    try {
      await tier.get('probe')
      return true
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return false
}

async function outageAndRecovery(tier: RedisTier) {
  await tier.set(makeEntry('before', 1, Date.now() + 60_000))
  expect((await tier.get('before'))?.value).toBe(1)

  const inFlight = tier.get('before').then(
    () => undefined,
    (err: unknown) => err,
  )
  await server.kill() // SIGKILL, mid-run
  const outcomes = await callsDuring(tier, 1_500)
  const inFlightError = await inFlight
  if (inFlightError !== undefined) expect(isStorageError(inFlightError)).toBe(true)

  const failed = outcomes.filter((outcome) => outcome.error)
  expect(failed.length).toBe(outcomes.length) // nothing pretends to have reached Redis
  for (const { error, ms } of failed) {
    expect(error!.tier).toBe('redis')
    expect(ms).toBeLessThan(BOUND_MS)
  }
  // The breaker spared most calls the wait: they were skipped without reaching the client.
  const skipped = failed.filter(({ error }) => error!.cause instanceof RedisSkippedError)
  expect(skipped.length).toBeGreaterThan(0)

  await server.restart() // same port, empty (no persistence)
  expect(await recovered(tier)).toBe(true)
  await tier.set(makeEntry('after', 2, Date.now() + 60_000))
  expect((await tier.get('after'))?.value).toBe(2)
  return { calls: outcomes.length, skipped: skipped.length }
}

describe('RedisTier when Redis goes away', () => {
  it('its own client: every call fails fast as a StorageError, then the tier recovers by itself', async () => {
    const tier = new RedisTier({ url: server.url, prefix: uniquePrefix(), ...bounds })
    try {
      await outageAndRecovery(tier)
    } finally {
      await tier.close()
    }
  })

  it("a user's client that queues offline commands: each call is still bounded by the timeout", async () => {
    const client = createClient({
      url: server.url,
      socket: { reconnectStrategy: () => 50 },
    })
    client.on('error', () => {})
    await client.connect()
    const tier = new RedisTier({ client, prefix: uniquePrefix(), ...bounds })
    try {
      await outageAndRecovery(tier)
    } finally {
      await tier.close()
      client.destroy()
    }
  })

  it('a server that stops answering (SIGSTOP): calls time out or are skipped, and work once it answers again', async () => {
    const tier = new RedisTier({ url: server.url, prefix: uniquePrefix(), ...bounds })
    try {
      await tier.set(makeEntry('before', 1, Date.now() + 60_000))
      server.pause()
      const outcomes = await callsDuring(tier, 1_500)
      expect(outcomes.every((outcome) => outcome.error?.tier === 'redis')).toBe(true)
      expect(outcomes.every((outcome) => outcome.ms < BOUND_MS)).toBe(true)
      const causes = new Set(outcomes.map((outcome) => outcome.error!.cause?.constructor))
      expect(causes).toEqual(new Set([RedisTimeoutError, RedisSkippedError]))
      server.resume()
      expect(await recovered(tier)).toBe(true)
      expect((await tier.get('before'))?.value).toBe(1) // the server kept its data: nothing was lost
    } finally {
      server.resume()
      await tier.close()
    }
  })

  it('a write given up on before the first connection is never sent once the connection is made', async () => {
    await server.kill()
    const prefix = uniquePrefix()
    const tier = new RedisTier({ url: server.url, prefix, ...bounds })
    const raw = createClient({ url: server.url })
    raw.on('error', () => {})
    try {
      const error = await tier
        .set(makeEntry('given-up', 1, Date.now() + 60_000))
        .catch((err: unknown) => err)
      expect(isStorageError(error)).toBe(true) // the caller was told the write failed...
      await server.restart()
      expect(await recovered(tier)).toBe(true)
      await raw.connect()
      expect(await raw.exists(`${prefix}given-up`)).toBe(0) // ...so it must not land later
    } finally {
      await tier.close()
      raw.destroy()
    }
  })

  it('a server down when the tier is made: calls fail within the bound, and work once it is up', async () => {
    await server.kill()
    const tier = new RedisTier({ url: server.url, prefix: uniquePrefix(), ...bounds })
    try {
      const started = performance.now()
      const error = await tier.get('k').catch((err: unknown) => err)
      expect(isStorageError(error)).toBe(true)
      expect(performance.now() - started).toBeLessThan(BOUND_MS)
      await server.restart()
      expect(await recovered(tier)).toBe(true)
    } finally {
      await tier.close()
    }
  })
})
