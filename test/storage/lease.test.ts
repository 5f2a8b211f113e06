import { StorageError } from '../../src/core/exceptions'
import { Cache } from '../../src/storage/cache'
import { LeaseCoordinator, type HeldLease, type LeaseProvider } from '../../src/storage/lease'
import { StatsRecorder } from '../../src/storage/cache-stats'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import type { Entry } from '../../src/storage/tier'
import { LocalHub } from '../helpers/local-bus'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

jest.setTimeout(60_000)
useTempDirs()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const fileCache = (dir: string, options = {}) =>
  new Cache({
    tiers: [new MemoryTier(), new FileTier({ dir })],
    cleanupInterval: false,
    ...options,
  })

/** A provider whose lease is held by "someone else" until `free()`; then it can be taken. */
function heldElsewhere(pollMs: number) {
  let held = true
  const provider: LeaseProvider = {
    pollMs,
    tryAcquire: async () =>
      held
        ? undefined
        : ({ tookOver: false, renew: async () => true, release: async () => {} } as HeldLease),
  }
  return { provider, free: () => (held = false) }
}

describe('LeaseCoordinator', () => {
  it('a waiter is woken by an invalidation of its key, long before its poll would come', async () => {
    const { provider } = heldElsewhere(60_000)
    const events = new StatsRecorder(1)
    const coordinator = new LeaseCoordinator(
      provider,
      { ttlMs: 30_000, maxWaitMs: Infinity },
      events,
      () => {},
    )
    const shared: { stored?: Entry } = {}
    const waiting = coordinator.acquire(
      'k',
      { ttlMs: 30_000, maxWaitMs: Infinity },
      async () => shared.stored,
    )
    await sleep(20)
    shared.stored = { key: 'k', value: 42, expiresAt: Infinity }
    coordinator.wake({ key: 'other' })
    coordinator.wake({ key: 'k' })
    expect((await waiting).found?.value).toBe(42)
    expect(events.leases).toMatchObject({ waited: 1, acquired: 0 })
  })

  it('a provider that fails: the call computes without a lease and the failure goes to onError', async () => {
    const failure = new StorageError('disk gone', { tier: 'file' })
    const provider: LeaseProvider = { pollMs: 10, tryAcquire: () => Promise.reject(failure) }
    const reported: unknown[] = []
    const coordinator = new LeaseCoordinator(
      provider,
      { ttlMs: 1_000, maxWaitMs: Infinity },
      new StatsRecorder(1),
      (error) => reported.push(error),
    )
    expect(
      await coordinator.acquire('k', { ttlMs: 1_000, maxWaitMs: Infinity }, async () => undefined),
    ).toEqual({
      holding: undefined,
    })
    expect(reported).toEqual([failure])
  })

  it('the lease freed without a value (the holder failed): the waiter takes it and computes', async () => {
    const { provider, free } = heldElsewhere(10)
    const coordinator = new LeaseCoordinator(
      provider,
      { ttlMs: 1_000, maxWaitMs: Infinity },
      new StatsRecorder(1),
      () => {},
    )
    const waiting = coordinator.acquire(
      'k',
      { ttlMs: 1_000, maxWaitMs: Infinity },
      async () => undefined,
    )
    await sleep(30)
    free()
    const outcome = await waiting
    expect(outcome.found).toBeUndefined()
    expect(outcome.holding).toBeDefined()
    await outcome.holding!.end()
  })
})

describe('leases on the file tier, two caches standing for two processes', () => {
  it('a computation that outlives leaseTtl keeps its lease by renewal: the other cache waits and does not compute', async () => {
    const dir = makeTempDir()
    const [holder, waiter] = [
      fileCache(dir, { leaseTtl: '300ms' }),
      fileCache(dir, { leaseTtl: '300ms' }),
    ]
    let runs = 0
    const compute = async () => {
      runs++
      await sleep(1_500) // five times leaseTtl
      return 'value'
    }
    const first = holder.getOrSet('k', compute)
    await sleep(50)
    const second = waiter.getOrSet('k', compute)
    expect(await Promise.all([first, second])).toEqual(['value', 'value'])
    expect(runs).toBe(1)
    expect((await waiter.stats()).leases).toMatchObject({ waited: 1, takeover: 0, acquired: 0 })
    await Promise.all([holder.close(), waiter.close()])
  })

  it('caches sharing a folder and a bus: a file lease sends no bus message, so the stored entry stays', async () => {
    const dir = makeTempDir()
    const hub = new LocalHub()
    const [holder, other] = [fileCache(dir, { bus: hub.bus() }), fileCache(dir, { bus: hub.bus() })]
    expect(await holder.getOrSet('k', () => 'value')).toBe('value')
    await sleep(20) // any message would have been delivered and handled
    expect(hub.sent).toEqual([])
    expect(await other.get('k')).toBe('value')
    await Promise.all([holder.close(), other.close()])
  })

  it('a refresh computes without waiting on a lease', async () => {
    const dir = makeTempDir()
    const cache = fileCache(dir)
    await cache.load('k', () => 1, { fresh: true })
    expect((await cache.stats()).leases.acquired).toBe(0)
    await cache.close()
  })
})
