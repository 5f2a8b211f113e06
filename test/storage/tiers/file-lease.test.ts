import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from '../../../src/storage/cache'
import { FileTier } from '../../../src/storage/tiers/file'
import { MemoryTier } from '../../../src/storage/tiers/memory'
import { forkHelper, type Child } from '../../helpers/fork-child'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

jest.setTimeout(120_000)
useTempDirs()

/** Every file of the lease folder but the processes' own reusable lease files (`<pid>-….own`). */
const leaseNames = (dir: string) =>
  existsSync(join(dir, '.leases'))
    ? readdirSync(join(dir, '.leases')).filter((name) => !name.endsWith('.own'))
    : []
const ownFiles = (dir: string) =>
  existsSync(join(dir, '.leases'))
    ? readdirSync(join(dir, '.leases')).filter((name) => name.endsWith('.own'))
    : []

/** Makes the lease file at `path` look as if its holder stopped renewing it `ageMs` ago. */
function age(path: string, ageMs: number): void {
  const then = new Date(Date.now() - ageMs)
  utimesSync(path, then, then)
}

describe('FileLeases', () => {
  it('a live lease is not taken twice; once released it can be taken again', async () => {
    const dir = makeTempDir()
    const [a, b] = [new FileTier({ dir }), new FileTier({ dir })]
    const held = await a.leases.tryAcquire('k', 10_000)
    expect(held?.tookOver).toBe(false)
    expect(await b.leases.tryAcquire('k', 10_000)).toBeUndefined()
    expect(await held!.renew()).toBe(true)
    await held!.release()
    expect(leaseNames(dir)).toEqual([])
    expect(await b.leases.tryAcquire('k', 10_000)).toBeDefined()
  })

  it('a stale lease is taken over, and its former holder can neither renew nor release the new one', async () => {
    const dir = makeTempDir()
    const [a, b] = [new FileTier({ dir }), new FileTier({ dir })]
    const old = await a.leases.tryAcquire('k', 1_000)
    age(join(dir, '.leases', 'k.lease'), 5_000)
    const taken = await b.leases.tryAcquire('k', 1_000)
    expect(taken?.tookOver).toBe(true)
    expect(await old!.renew()).toBe(false)
    age(join(dir, '.leases', 'k.lease'), 0) // the old holder's release must check the token, not trust its clock
    await new Promise((resolve) => setTimeout(resolve, 600))
    await old!.release()
    expect(leaseNames(dir)).toEqual(['k.lease'])
    expect(await taken!.renew()).toBe(true)
  })

  it('lease files never count as entries: not in stats(), not among the *.json names, not removed by clear()', async () => {
    const dir = makeTempDir()
    const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
    await cache.set('a', 1)
    const tier = cache.tiers[1] as FileTier
    const held = await tier.leases.tryAcquire('b', 30_000)
    expect((await cache.stats()).fileEntries).toBe(1)
    expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toEqual(['a.json'])
    await cache.clear()
    expect(leaseNames(dir)).toEqual(['b.lease'])
    await held!.release()
    await cache.close()
  })

  it('cleanup() removes orphaned leases (holder process gone, or unrenewed for an hour) and keeps live ones', async () => {
    const dir = makeTempDir()
    const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
    const tier = cache.tiers[1] as FileTier
    const live = await tier.leases.tryAcquire('live', 30_000)
    await tier.leases.tryAcquire('old', 30_000)
    age(join(dir, '.leases', 'old.lease'), 2 * 3_600_000)
    const exited = forkHelper('lease-racer', [dir, '1000'])
    await exited.next()
    exited.process.send({ key: 'dead' })
    await exited.next()
    exited.process.send({ exit: true })
    await exited.exited // its lease on 'dead' is left behind, its pid no longer runs
    expect(leaseNames(dir).sort()).toEqual(['dead.lease', 'live.lease', 'old.lease'])
    await cache.cleanup()
    expect(leaseNames(dir)).toEqual(['live.lease'])
    // The exited process's reusable lease file went too; this one's stays while it runs.
    expect(ownFiles(dir).every((name) => name.startsWith(`${process.pid}-`))).toBe(true)
    await live!.release()
    await cache.close()
  })

  it('the cache folder with a .leases folder in it is still recognised as ours', async () => {
    const dir = makeTempDir()
    const first = new FileTier({ dir })
    await (await first.leases.tryAcquire('k', 30_000))!.release()
    writeFileSync(join(dir, 'CACHEDIR.TAG'), 'not a tag') // an untagged folder is judged by what it holds
    const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
    await cache.set('x', 1)
    expect(await cache.get('x')).toBe(1)
    await cache.close()
  })
})

describe('leases on a Cache', () => {
  it('lease: false on the Cache, or on one call, computes without a lease file', async () => {
    const dir = makeTempDir()
    const off = new Cache({ cacheDir: dir, cleanupInterval: false, lease: false })
    await off.getOrSet('a', () => 1)
    expect((await off.stats()).leases.acquired).toBe(0)
    const on = new Cache({ cacheDir: dir, cleanupInterval: false })
    await on.getOrSet('b', () => 2, { lease: false })
    await on.getOrSet('c', () => 3)
    expect((await on.stats()).leases.acquired).toBe(1)
    expect(leaseNames(dir)).toEqual([])
    await Promise.all([off.close(), on.close()])
  })

  it('a memory-only cache never leases', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    await cache.getOrSet('a', async () => 1, { shouldCache: () => true })
    expect((await cache.stats()).leases).toEqual({
      acquired: 0,
      waited: 0,
      takeover: 0,
      'max-wait': 0,
    })
  })

  it('bad lease options are refused with a TypeError naming the option', () => {
    expect(() => new Cache({ lease: 'yes' as never })).toThrow(/lease option/)
    expect(() => new Cache({ leaseTtl: 0 })).toThrow(/leaseTtl/)
    expect(() => new Cache({ maxWait: 'soon' })).toThrow(/maxWait/)
  })
})

describe('a race on a stale lease', () => {
  it('12 contenders in 4 processes find the same stale lease at once: exactly one takes it over (50 times)', async () => {
    const dir = makeTempDir()
    const racers: Child[] = Array.from({ length: 4 }, () =>
      forkHelper('lease-racer', [dir, '1000']),
    )
    try {
      for (const racer of racers) expect(await racer.next()).toEqual({ ready: true })
      const setup = new FileTier({ dir })
      for (let round = 0; round < 50; round++) {
        const key = `race_${round}`
        await setup.leases.tryAcquire(key, 1_000) // a holder that then died: never renewed
        age(join(dir, '.leases', `${key}.lease`), 5_000)
        for (const racer of racers) racer.process.send({ key })
        const replies = await Promise.all(
          racers.map((racer) => racer.next<{ acquired: number; tookOver: number }>()),
        )
        expect({ round, ...sum(replies) }).toEqual({ round, acquired: 1, tookOver: 1 })
      }
    } finally {
      for (const racer of racers) racer.process.kill('SIGKILL')
    }
  })
})

function sum(replies: { acquired: number; tookOver: number }[]) {
  return replies.reduce((a, b) => ({
    acquired: a.acquired + b.acquired,
    tookOver: a.tookOver + b.tookOver,
  }))
}
