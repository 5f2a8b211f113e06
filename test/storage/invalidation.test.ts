import { systemClock } from '../../src/core/clock'
import { compilePattern } from '../../src/core/pattern'
import { StatsRecorder } from '../../src/storage/cache-stats'
import { FlightRegistry } from '../../src/storage/flights'
import { Invalidation, type InvalidationTarget } from '../../src/storage/invalidation'
import { LifetimePolicy } from '../../src/storage/lifetimes'
import { TierStack } from '../../src/storage/tier-stack'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { WriteTracker } from '../../src/storage/write-tracker'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { Cache } from '../../src/storage/cache'
import { withCache } from '../../src/memoize/with-cache'
import { openCaches } from '../helpers/open-caches'
import { gate } from '../helpers/gate'

useTempDirs()

function setup() {
  const memory = new MemoryTier()
  const file = new FileTier({ dir: makeTempDir() })
  const writes = new WriteTracker()
  const flights = new FlightRegistry()
  const events = new StatsRecorder(2)
  const stack = new TierStack([memory, file], {
    clock: systemClock,
    lifetimes: new LifetimePolicy(60, undefined),
    writes,
    events,
    report: () => {},
  })
  const invalidation = new Invalidation(stack, flights, writes, events)
  const store = (key: string) => stack.write(key, key, { ttlMs: 60_000, memoryTtlMs: 60_000 })
  return { memory, file, writes, flights, events, invalidation, store }
}

describe('Invalidation', () => {
  it('a key: removed from every tier, its flight forgotten, its watchers told, listeners called', async () => {
    const { memory, file, writes, flights, events, invalidation, store } = setup()
    await store('k')
    const flight = flights.open('k')
    void flights.register(flight, Promise.resolve('old'))
    const watch = writes.watch('k') // a read under way, as a lookup holds one
    const heard: InvalidationTarget[] = []
    invalidation.listen((target) => heard.push(target))
    expect(await invalidation.invalidate({ key: 'k' }, 'every tier')).toBe(1)
    expect([memory.peek('k'), await file.get('k')]).toEqual([undefined, undefined])
    expect(flights.running('k')).toBeUndefined()
    expect(flights.changed(flight)).toBe(true)
    expect(writes.changedSince(watch)).toBe(true)
    writes.unwatch(watch)
    expect(heard).toEqual([{ key: 'k' }])
    expect(events.writes.deletes).toBe(1)
    flights.settle(flight)
  })

  it('a pattern: clears the matches in every tier and counts each key once', async () => {
    const { memory, invalidation, store } = setup()
    for (const key of ['video_1', 'video_2', 'audio_1']) await store(key)
    expect(await invalidation.invalidate({ match: compilePattern('video_*') }, 'every tier')).toBe(
      2,
    )
    expect([...memory.keys()]).toEqual(['audio_1'])
  })

  it('in-process scope (a bus): drops the keys from memory only, the slower tiers keep them', async () => {
    const { memory, file, invalidation, store } = setup()
    await store('k')
    expect(await invalidation.invalidate({ key: 'k' }, 'in-process')).toBe(1)
    expect(memory.peek('k')).toBeUndefined()
    expect((await file.get('k'))?.value).toBe('k')
  })

  it('scope none (set, refresh): records the change without touching a tier', async () => {
    const { memory, writes, invalidation, store } = setup()
    await store('k')
    const watch = writes.watch('k')
    expect(await invalidation.invalidate({ key: 'k' }, 'none')).toBe(0)
    expect(memory.peek('k')?.value).toBe('k')
    expect(writes.changedSince(watch)).toBe(true)
    writes.unwatch(watch)
  })

  it('a clear moves every watch, whatever key it watches; a stopped listener hears nothing more', async () => {
    const { writes, invalidation } = setup()
    const watch = writes.watch('anything')
    const heard: InvalidationTarget[] = []
    const stop = invalidation.listen((target) => heard.push(target))
    invalidation.note({ match: undefined })
    stop()
    invalidation.note({ key: 'x' })
    expect(writes.changedSince(watch)).toBe(true)
    expect(heard).toEqual([{ match: undefined }])
    writes.unwatch(watch)
  })
})

/** A refresh() started while an older plain call computes; what the cache holds once both are done. */
async function refreshOverlappingPlainCall(cache: Cache): Promise<unknown> {
  let source = 'v1'
  const plainRelease = gate()
  const refreshRelease = gate()
  const plainStarted = gate()
  const cached = withCache(
    async (id: string) => {
      const seen = `${id}:${source}`
      if (source === 'v1') plainStarted.open()
      await (source === 'v1' ? plainRelease.promise : refreshRelease.promise)
      return seen
    },
    { cache, namespace: 'refresh' },
  )
  const plain = cached('a') // a miss: computes from v1
  await plainStarted.promise
  source = 'v2'
  const refreshing = cached.refresh('a') // the data changed: recompute from v2
  plainRelease.open() // the older computation finishes first and is stored
  expect(await plain).toBe('a:v1')
  refreshRelease.open()
  expect(await refreshing).toBe('a:v2')
  await new Promise((r) => setImmediate(r))
  return cached.peek('a')
}

// A refresh counts as a write of its key when it starts, so a computation already under way does not store
// over it: refresh "recomputes, stores and returns the result ... whatever is cached" (README).
describe('refresh() overlapping an older plain call stores the refreshed value', () => {
  it('in a memory-only cache', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    try {
      expect(await refreshOverlappingPlainCall(cache)).toBe('a:v2')
    } finally {
      await cache.close()
    }
  })

  describe('memory + file cache', () => {
    let dir: string
    const open = openCaches(() => ({ cacheDir: dir }))
    beforeEach(() => {
      dir = makeTempDir()
    })
    it('in a memory + file cache', async () => {
      expect(await refreshOverlappingPlainCall(open())).toBe('a:v2')
    })
  })
})
