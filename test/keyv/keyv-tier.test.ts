import { randomUUID } from 'node:crypto'
import KeyvPostgres from '@keyv/postgres'
import Keyv from 'keyv'
import { Keyv as Keyv6 } from 'keyv6'
import { Cache, MemoryTier } from '../../src'
import { KeyvTier } from '../../src/keyv'
import { describeTier, makeEntry } from '../../src/testing'
import type { FakeClock } from '../../src/testing/fake-clock'
import { startPostgresServer, type PostgresServer } from '../helpers/postgres-server'

let server: PostgresServer
beforeAll(async () => {
  server = await startPostgresServer()
}, 60_000)
let lastKeyv: Keyv | undefined
afterAll(async () => {
  // @keyv/postgres keeps one pool for the process (per URI): ended once, here, before the server stops.
  await lastKeyv?.disconnect()
  await server.stop()
}, 30_000)

/** A Keyv over the test server's `keyv` table, in a namespace of its own (a fresh, empty store). */
const postgresKeyv = (namespace = `t${randomUUID().slice(0, 8)}`, ttl?: number) =>
  (lastKeyv = new Keyv({ store: new KeyvPostgres({ uri: server.url }), namespace, ttl }))
const namespaces = new WeakMap<object, string>()
const onPostgres = (clock: FakeClock, namespace?: string) => {
  const keyv = postgresKeyv(namespace)
  const tier = new KeyvTier({ keyv, clock, shared: true, disconnectOnClose: false })
  namespaces.set(tier, keyv.namespace!)
  return tier
}

const test = { describe, it, expect, beforeEach, afterEach }
describeTier({
  name: 'KeyvTier (Keyv 5, @keyv/postgres on a real PostgreSQL)',
  make: (clock) => onPostgres(clock),
  persistent: true,
  reopen: (tier, clock) => onPostgres(clock, namespaces.get(tier)),
  listsKeys: true,
  test,
})
describeTier({
  name: 'KeyvTier (Keyv 6, its in-memory store)',
  make: (clock) => new KeyvTier({ keyv: new Keyv6(), clock }),
  listsKeys: true,
  test,
})

describe('KeyvTier', () => {
  const caches: Cache[] = []
  const open = (keyv: Keyv) => {
    const tier = new KeyvTier({ keyv, disconnectOnClose: false })
    const cache = new Cache({ tiers: [new MemoryTier(), tier], cleanupInterval: false })
    caches.push(cache)
    return cache
  }
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()))
  })

  it("keeps Date, Buffer, Map and large byte arrays intact, whatever the Keyv's serializer", async () => {
    const namespace = `t${randomUUID().slice(0, 8)}`
    const value = {
      at: new Date('2026-11-30T08:00:00Z'),
      small: Buffer.from('hi'),
      large: Buffer.alloc(100_000, 7), // stored apart from the text, as an attachment
      tags: new Map([['fps', 30]]),
    }
    await open(postgresKeyv(namespace)).set('video:1', value)
    const fresh = open(postgresKeyv(namespace)) // an empty memory tier: read from PostgreSQL
    expect(await fresh.get('video:1')).toEqual(value)
    const read = (await fresh.get('video:1')) as typeof value
    expect(read.at).toBeInstanceOf(Date)
    expect(Buffer.isBuffer(read.large)).toBe(true)
    expect(read.tags).toBeInstanceOf(Map)
  })

  it("passes Keyv the remaining lifetime in ms, and no TTL at all for entries that never expire, whatever Keyv's default", async () => {
    const namespace = `t${randomUUID().slice(0, 8)}`
    const cache = open(postgresKeyv(namespace, 1)) // a Keyv whose default ttl is 1 ms
    await cache.set('forever', 'v', Infinity)
    await cache.set('minute', 'v', 60)
    // Keyv's own record of each key, `{ value, expires }`, as any Keyv user reads it.
    const record = (key: string) => postgresKeyv(namespace).get(key, { raw: true })
    expect((await record('forever'))?.expires).toBeUndefined()
    const left = (await record('minute'))!.expires! - Date.now()
    expect(left).toBeGreaterThan(30_000)
    expect(left).toBeLessThanOrEqual(60_000)
    await new Promise((resolve) => setTimeout(resolve, 20)) // past Keyv's 1 ms default
    expect(await open(postgresKeyv(namespace)).get('forever')).toBe('v')
  })

  it('a store that fails is a StorageError naming the tier, not a miss or a lost write', async () => {
    // Keyv answers a failed store call with `undefined` or `false` and an `error` event; the tier must not.
    const down = async () => {
      throw new Error('connection refused')
    }
    const store = { get: down, set: down, delete: down, clear: down, has: down, opts: {} }
    const tier = new KeyvTier({ keyv: new Keyv({ store }), name: 'db' })
    const failure = { code: 'E_STORAGE', tier: 'db', key: 'k' }
    await expect(tier.get('k')).rejects.toMatchObject(failure)
    await expect(tier.set(makeEntry('k', 1, Infinity))).rejects.toMatchObject(failure)
    await expect(tier.delete('k')).rejects.toMatchObject(failure)
    await tier.close()
  })

  it('refuses something that is not a Keyv', () => {
    expect(() => new KeyvTier({ keyv: new Map() as never })).toThrow(TypeError)
  })
})
