import { systemClock } from '../../src/core/clock'
import type { StorageError } from '../../src/core/exceptions'
import { StatsRecorder } from '../../src/storage/cache-stats'
import { FlightRegistry } from '../../src/storage/flights'
import { Invalidation } from '../../src/storage/invalidation'
import { LifetimePolicy } from '../../src/storage/lifetimes'
import { LoadHandler } from '../../src/storage/load'
import type { Tier } from '../../src/storage/tier'
import { TierStack } from '../../src/storage/tier-stack'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { WriteTracker } from '../../src/storage/write-tracker'
import { FailingTier } from '../helpers/failing-tier'
import { gate } from '../helpers/gate'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { Cache } from '../../src/storage/cache'
import { withCache } from '../../src/memoize/with-cache'
import { FakeClock } from '../../src/testing/fake-clock'
import { openCaches } from '../helpers/open-caches'

useTempDirs()

function handlerOver(tiers: Tier[]) {
  const writes = new WriteTracker()
  const flights = new FlightRegistry()
  const events = new StatsRecorder(tiers.length)
  const errors: StorageError[] = []
  const lifetimes = new LifetimePolicy(60, undefined)
  const stack = new TierStack(tiers, {
    clock: systemClock,
    lifetimes,
    writes,
    events,
    report: (e) => errors.push(e),
  })
  const invalidation = new Invalidation(stack, flights, writes, events)
  const handler = new LoadHandler({
    stack,
    flights,
    invalidation,
    lifetimes,
    events,
    clock: systemClock,
    onError: (e) => errors.push(e),
  })
  return { handler, stack, flights, invalidation, errors }
}

const both = () => [new MemoryTier(), new FileTier({ dir: makeTempDir() })]

describe.each([
  ['memory-only (the in-process strategy)', () => [new MemoryTier()]],
  ['memory + file (the stacked strategy)', both],
])('LoadHandler over %s', (_name, tiers) => {
  it('computes once for concurrent callers and stores the result', async () => {
    const { handler, stack } = handlerOver(tiers())
    const release = gate<string>()
    let runs = 0
    const calls = [1, 2, 3].map(() => handler.load('k', () => (runs++, release.promise), {}))
    release.open('v')
    expect(await Promise.all(calls)).toEqual(['v', 'v', 'v'])
    expect(runs).toBe(1)
    expect(stack.peek('k')?.value).toBe('v')
  })

  it('a refresh does not join the flight under way, and its result is the one stored', async () => {
    const { handler, stack } = handlerOver(tiers())
    const slow = gate<string>()
    const plain = handler.load('k', () => slow.promise, {})
    const fresh = handler.load('k', () => 'fresh', { fresh: true })
    slow.open('stale')
    expect([await plain, await fresh]).toEqual(['stale', 'fresh'])
    expect(stack.peek('k')?.value).toBe('fresh')
  })

  it('a result whose key was invalidated during the computation reaches callers but is not stored', async () => {
    const { handler, stack, invalidation } = handlerOver(tiers())
    const slow = gate<string>()
    const loading = handler.load('k', () => slow.promise, {})
    await invalidation.invalidate({ key: 'k' }, 'every tier')
    slow.open('older')
    expect(await loading).toBe('older')
    expect(stack.peek('k')).toBeUndefined()
  })

  it('an invalidation made synchronously by the computation itself keeps its result out', async () => {
    const { handler, stack, invalidation } = handlerOver(tiers())
    const loading = handler.load(
      'k',
      () => {
        invalidation.note({ key: 'k' }) // e.g. a compute that calls cache.delete(key) first
        return 'computed before the change was known'
      },
      {},
    )
    expect(await loading).toBe('computed before the change was known')
    expect(stack.peek('k')).toBeUndefined()
  })

  it('a rejection reaches every caller, is not stored, and frees the key', async () => {
    const { handler, flights } = handlerOver(tiers())
    const failing = handler.load('k', () => Promise.reject(new Error('boom')), {})
    await expect(failing).rejects.toThrow('boom')
    expect(flights.running('k')).toBeUndefined()
    expect(await handler.load('k', () => 'again', {})).toBe('again')
  })

  it('an invalid key rejects before the computation runs', async () => {
    const { handler } = handlerOver(tiers())
    let runs = 0
    await expect(handler.load('', () => ++runs, {})).rejects.toMatchObject({
      code: 'E_INVALID_KEY',
    })
    expect(runs).toBe(0)
  })

  it('shouldCache and ttl 0 keep a value from being stored', async () => {
    const { handler, stack } = handlerOver(tiers())
    expect(await handler.load('a', () => [], { shouldCache: (v) => v.length > 0 })).toEqual([])
    expect(await handler.load('b', () => 1, { ttl: 0 })).toBe(1)
    expect([stack.peek('a'), stack.peek('b')]).toEqual([undefined, undefined])
  })
})

describe('LoadHandler strategies', () => {
  it('memory-only: callers get the computation`s own promise', () => {
    const { handler } = handlerOver([new MemoryTier()])
    const computed = Promise.resolve(1)
    expect(handler.load('k', () => computed, {})).toBe(computed)
  })

  it('tiered: a value found in a slower tier is returned without computing', async () => {
    const { handler, stack } = handlerOver(both())
    await stack.tiers[1]!.set({ key: 'k', value: 'disk', encoded: '"disk"', expiresAt: Infinity })
    let runs = 0
    expect(await handler.load('k', () => (runs++, 'computed'), {})).toBe('disk')
    expect(runs).toBe(0)
  })

  it('tiered: a failing tier costs the caller nothing; its errors go to onError', async () => {
    const { handler, errors } = handlerOver([new MemoryTier(), new FailingTier()])
    expect(await handler.load('k', () => 'value', {})).toBe('value')
    expect(errors.map((e) => e.tier)).toEqual(['failing', 'failing']) // the read, then the write
  })
})

/** Runs `body`, then collects the unhandled rejections Node reported meanwhile. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const listener = (reason: unknown) => seen.push(reason)
  process.on('unhandledRejection', listener)
  try {
    await body()
    await new Promise((resolve) => setTimeout(resolve, 50)) // let Node process its rejection bookkeeping
  } finally {
    process.off('unhandledRejection', listener)
  }
  return seen
}

const failLoudly = (err: Error) => {
  throw err
}

// A value a byte-bounded memory tier cannot encode (it holds a function): the store fails with E_SERIALIZATION.
const compute = () => ({ id: 1, format: () => 'x' })

// The memory-only strategy is taken only by a cache whose store cannot fail (a MemoryTier without a byte
// bound, alone): a store that fails there would reject a promise nobody holds. Others take the general path.
describe('a throwing onError leaves no unhandled rejection: the caller gets it', () => {
  it('getOrSet() on a byte-bounded memory-only cache', async () => {
    const cache = new Cache({
      tiers: [new MemoryTier({ maxBytes: 10_000 })],
      cleanupInterval: false,
      onError: failLoudly,
    })
    let outcome: unknown
    const unhandled = await unhandledDuring(async () => {
      outcome = await cache.getOrSet('k', compute).catch(() => 'caller handled it')
    })
    await cache.close()
    expect(unhandled).toEqual([])
    expect(outcome).toBe('caller handled it') // the handler's throw reached the caller
  })

  it('withCache over a byte-bounded memory-only cache', async () => {
    const cache = new Cache({
      tiers: [new MemoryTier({ maxBytes: 10_000 })],
      cleanupInterval: false,
    })
    const cached = withCache(async (id: number) => ({ id, format: () => 'x' }), {
      cache,
      namespace: 'r',
      onError: failLoudly,
    })
    const unhandled = await unhandledDuring(async () => {
      await cached(1).catch(() => undefined)
    })
    await cache.close()
    expect(unhandled).toEqual([])
  })

  it('getOrSet() on the general path (a cache with a file tier)', async () => {
    const dir = makeTempDir()
    const cache = new Cache({
      tiers: [new MemoryTier({ maxBytes: 10_000 }), new FileTier({ dir })],
      cleanupInterval: false,
      onError: failLoudly,
    })
    let callerSaw: unknown
    const unhandled = await unhandledDuring(async () => {
      await cache.getOrSet('k', compute).catch((err) => (callerSaw = err))
    })
    await cache.close()
    expect(unhandled).toEqual([])
    expect(callerSaw).toMatchObject({ code: 'E_SERIALIZATION' })
  })
})

describe('a computation never stores over a write made while it ran', () => {
  let dir: string
  let clock: FakeClock
  const open = openCaches(() => ({ cacheDir: dir, clock }))
  beforeEach(() => {
    dir = makeTempDir()
    clock = new FakeClock()
  })

  it('a set() made while getOrSet() computes is not overwritten by the older computation', async () => {
    const cache = open()
    const computing = gate<string>()
    const loading = cache.getOrSet('k', () => computing.promise)
    await new Promise((r) => setImmediate(r)) // the lookup has missed; compute() is running
    await cache.set('k', 'set by someone else, later')
    computing.open('computed from older data')
    await loading
    expect(await cache.get('k')).toBe('set by someone else, later')
  })

  it('a result computed before invalidate() is not stored after it', async () => {
    const cache = open()
    let source = 'v1'
    const started = gate()
    const release = gate()
    const fn = async (id: string) => {
      const seen = `${id}:${source}` // reads the data before the update
      started.open()
      await release.promise
      return seen
    }
    const cached = withCache(fn, { cache, namespace: 'review' })
    const first = cached('a')
    await started.promise
    source = 'v2' // the data changes, and the caller invalidates
    await cached.invalidate('a')
    release.open()
    expect(await first).toBe('a:v1')
    // The next call must not be served the result that was computed from the data before the invalidation.
    expect(await cached('a')).toBe('a:v2')
  })

  it('refresh() recomputes even when a plain call for the same arguments is under way', async () => {
    await open().set('review:load:v1:a', 'stale, on disk')
    const cache = open() // cold memory: a plain call reads the file
    let runs = 0
    const load = async (id: string) => `${id} fresh #${++runs}`
    const cached = withCache(load, { cache, namespace: 'review' })
    expect(cached.keyFor('a')).toBe('review:load:v1:a')
    const plain = cached('a')
    const refreshed = cached.refresh('a')
    expect(await plain).toBe('stale, on disk')
    expect(await refreshed).toBe('a fresh #1')
    expect(runs).toBe(1)
  })
})
