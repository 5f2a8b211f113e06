import { join } from 'node:path'
import { existsSync, readFileSync } from 'node:fs'
import { RedisTier } from '../../src/redis'
import { forkHelper, type Child } from '../helpers/fork-child'
import type { WorkerResult } from '../helpers/lease-worker'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { startRedisServer, uniquePrefix, type RedisServer } from '../helpers/redis-server'

jest.setTimeout(120_000)
useTempDirs()

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(() => server.stop())

const runsIn = (file: string): number[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []

describe('Redis leases', () => {
  let tiers: RedisTier[] = []
  const tier = (prefix: string) => {
    const made = new RedisTier({ url: server.url, prefix })
    tiers.push(made)
    return made
  }
  afterEach(async () => {
    await Promise.all(tiers.map((t) => t.close()))
    tiers = []
  })

  it('a live lease is taken once; released, it can be taken again', async () => {
    const prefix = uniquePrefix('lease')
    const [a, b] = [tier(prefix), tier(prefix)]
    const held = await a.leases!.tryAcquire('k', 10_000)
    expect(held).toBeDefined()
    expect(await b.leases!.tryAcquire('k', 10_000)).toBeUndefined()
    expect(await held!.renew()).toBe(true)
    await held!.release()
    expect(await b.leases!.tryAcquire('k', 10_000)).toBeDefined()
  })

  it('a holder whose lease expired can neither renew nor release the lease another holder took since', async () => {
    const prefix = uniquePrefix('lease')
    const [a, b, c] = [tier(prefix), tier(prefix), tier(prefix)]
    const old = await a.leases!.tryAcquire('k', 100)
    let taken
    const deadline = Date.now() + 10_000
    while (!(taken = await b.leases!.tryAcquire('k', 10_000)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20))
    expect(taken).toBeDefined() // Redis expired the old lease on its own clock
    expect(await old!.renew()).toBe(false)
    await old!.release()
    expect(await c.leases!.tryAcquire('k', 10_000)).toBeUndefined() // still b's
  })

  it('leases are never entries: not counted by stats(), not removed by clear(), and no entry key is a lease key', async () => {
    const prefix = uniquePrefix('lease')
    const t = tier(prefix)
    const held = await t.leases!.tryAcquire('lease:k', 30_000)
    await t.set({ key: 'lease:k', value: 1, encoded: '1', expiresAt: Infinity })
    expect((await t.stats()).entries).toBe(1)
    expect(await t.clear()).toBe(1)
    expect(await tier(prefix).leases!.tryAcquire('lease:k', 30_000)).toBeUndefined()
    expect(await held!.renew()).toBe(true)
  })
})

describe('a fleet of 8 processes: memory → own file tier → Redis, with a bus', () => {
  it('250 concurrent calls each of one uncached key: the 2 s function runs exactly once', async () => {
    const prefix = uniquePrefix('lease-fleet')
    const runsFile = join(makeTempDir(), 'runs')
    const children: Child[] = Array.from({ length: 8 }, () =>
      forkHelper('lease-worker', [
        JSON.stringify({
          dir: makeTempDir(), // each its own local folder: separate machines
          runsFile,
          computeMs: 2_000,
          calls: 250,
          redis: { url: server.url, prefix, channel: `${prefix}bus` },
        }),
      ]),
    )
    try {
      for (const child of children) expect(await child.next()).toEqual({ ready: true })
      await new Promise((resolve) => setTimeout(resolve, 200)) // the buses subscribe
      for (const child of children) child.process.send({ go: true })
      const results = await Promise.all(children.map((child) => child.next<WorkerResult>()))
      expect(runsIn(runsFile)).toHaveLength(1)
      const values = results.flatMap((result) => result.values)
      expect(values).toHaveLength(2_000)
      expect(new Set(values)).toEqual(new Set([`segment 1 by ${runsIn(runsFile)[0]}`]))
      expect(results.flatMap((result) => [...result.errors, ...result.storageErrors])).toEqual([])
      expect(results.reduce((n, result) => n + result.leases.acquired, 0)).toBe(1)
    } finally {
      for (const child of children) child.process.kill('SIGKILL')
    }
  })
})
