import {
  type Cache,
  type CachedFunction,
  MemoryTier,
  withCache,
  type StorageError,
  type WithCacheOptions,
} from '../../src'
import { FakeClock } from '../../src/testing'
import { gate } from '../helpers/gate'
import { LocalHub } from '../helpers/local-bus'
import { openCaches } from '../helpers/open-caches'

/**
 * A stale entry remembered by argument is served without a lookup (`Cache.serveKept`). The same calls through
 * a key function (never remembered, so always by key: `peek`, then `load`) must give the same values and the
 * same statistics.
 */

let clock: FakeClock
let errors: StorageError[]
const open = openCaches(() => ({
  clock,
  tiers: [new MemoryTier({ clock })],
  onError: (e) => errors.push(e),
}))
beforeEach(() => {
  clock = new FakeClock()
  errors = []
})

/** Lets pending reactions (a background refresh's store) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

type Model = CachedFunction<[number], string>
type Scenario = (model: Model, cache: Cache, keyOf: (id: number) => string) => Promise<unknown[]>

/** Runs `scenario` by argument (default keys) and by key (a key function); returns both outcomes. */
async function byArgumentAndByKey(
  options: WithCacheOptions<[number], string>,
  scenario: Scenario,
  fail: (run: number) => boolean = () => false,
) {
  const outcome = async (byKey: boolean) => {
    clock = new FakeClock()
    const cache = open({ clock, tiers: [new MemoryTier({ clock })] })
    let runs = 0
    const model = withCache(
      async (id: number) => {
        if (fail(++runs)) throw new Error(`run ${runs} failed`)
        return `run ${runs} for ${id}`
      },
      { ...options, cache, namespace: 'lane', ...(byKey && { key: (id: number) => `lane:${id}` }) },
    )
    const seen = await scenario(model, cache, (id) => model.keyFor(id))
    await settle()
    const { tiers, freshness } = await cache.stats()
    // Not its staleServed: a stale serve finds its function by key prefix, which a key function has none of.
    const { calls, misses, computations } = model.stats()
    return {
      seen,
      runs,
      memory: { hits: tiers[0]!.hits, misses: tiers[0]!.misses },
      freshness,
      fn: { calls, misses, computations },
    }
  }
  return { byArgument: await outcome(false), byKey: await outcome(true) }
}

describe('withCache: a stale entry remembered by argument', () => {
  it('counts one memory miss per call, past its stale-while-revalidate window but within staleIfError', async () => {
    const { byArgument, byKey } = await byArgumentAndByKey(
      { ttl: 60, staleWhileRevalidate: 60, staleIfError: 600 },
      async (model) => {
        const seen = [await model(1), await model(1)] // a miss, then a fresh hit: remembered
        clock.advance(130_000) // stale for 70 s: past the revalidate window, not expired
        seen.push(await model(1)) // computed in the foreground
        return seen
      },
    )
    expect(byArgument.seen).toEqual(['run 1 for 1', 'run 1 for 1', 'run 2 for 1'])
    expect(byKey.memory).toEqual({ hits: 1, misses: 2 })
    expect(byArgument).toEqual(byKey)
  })

  it('serves and counts as the lookup by key does, stale, due for refresh, and after invalidations', async () => {
    const { byArgument, byKey } = await byArgumentAndByKey(
      { ttl: 60, staleWhileRevalidate: 60, eagerRefresh: 0.5, tags: ['t'] },
      async (model, cache, keyOf) => {
        const seen = [await model(1), await model(1)]
        clock.advance(31_000) // due for refresh
        seen.push(await model(1), await model(1))
        await settle()
        clock.advance(61_000) // stale
        seen.push(await model(1), await model(1))
        await settle()
        clock.advance(61_000)
        seen.push(await model(1))
        await cache.invalidateTags('t')
        seen.push(await model(1))
        clock.advance(61_000)
        seen.push(await model(1))
        await cache.set(keyOf(1), 'set by hand', { ttl: 1, tags: ['t'] })
        seen.push(await model(1))
        clock.advance(1_500)
        seen.push(await model(1))
        await settle()
        clock.advance(61_000)
        seen.push(await model(1))
        await cache.clear()
        seen.push(await model(1))
        return seen
      },
    )
    expect(byArgument).toEqual(byKey)
  })

  it('serves and counts as the lookup by key does under staleIfError, a failing refresh and refresh()', async () => {
    const { byArgument, byKey } = await byArgumentAndByKey(
      { ttl: 60, staleWhileRevalidate: 30, staleIfError: 600, errorBackoff: 20 },
      async (model) => {
        const seen: unknown[] = [await model(1), await model(1)]
        clock.advance(70_000) // stale for 10 s: served, its refresh (run 2) fails
        seen.push(await model(1), await model(1))
        await settle()
        seen.push(await model(1)) // in the error backoff: served, no run
        clock.advance(30_000) // past the backoff and the revalidate window: run 3 fails, the stale value served
        seen.push(await model(1).catch((e: Error) => e.message), await model(1))
        clock.advance(21_000)
        seen.push(await model(1).catch((e: Error) => e.message)) // run 4
        seen.push(await model(1))
        clock.advance(61_000)
        seen.push(await model(1), await model(1)) // stale: served, refreshed by run 5
        seen.push(await model.refresh(1), await model(1))
        return seen
      },
      (run) => run >= 2 && run <= 3,
    )
    expect(byArgument).toEqual(byKey)
  })

  it('is not served once another process deleted its key or invalidated its tag (bus)', async () => {
    const hub = new LocalHub()
    const a = open({ tiers: [hub.track(new MemoryTier({ clock }))], bus: hub.bus() })
    const b = open({ tiers: [hub.track(new MemoryTier({ clock }))], bus: hub.bus() })
    let runs = 0
    let pending = gate()
    const model = withCache(
      async (id: number) => {
        const run = ++runs
        if (run > 1) await pending.promise // refreshes wait: the stale entry stays where it is
        return `run ${run} for ${id}`
      },
      { cache: a, ttl: 60, staleWhileRevalidate: 600, tags: ['t'], namespace: 'bus' },
    )
    await model(1)
    await model(1) // remembered
    clock.advance(61_000)
    expect(await model(1)).toBe('run 1 for 1') // stale, served; run 2 refreshes it
    await b.delete(model.keyFor(1))
    await hub.delivered()
    let call = model(1)
    pending.open()
    expect(await call).toBe('run 3 for 1')
    clock.advance(61_000)
    pending = gate()
    expect(await model(1)).toBe('run 3 for 1') // stale again, served; run 4 refreshes it
    await b.invalidateTags('t')
    await hub.delivered()
    call = model(1)
    pending.open()
    expect(await call).toBe('run 5 for 1')
  })

  it('is remembered again when a refresh replaced it: the next stale generation is served without a lookup too', async () => {
    const lookups = { count: 0 }
    const memory = new MemoryTier({ clock })
    // The memory tier, with its lookups by key counted (the lane checks a kept entry: isCurrent, holds).
    const counted = new Proxy(memory, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name, target)
        if (typeof value !== 'function') return value
        if (name === 'peek' || name === 'peekStale') lookups.count++
        return value.bind(target)
      },
    })
    const cache = open({ tiers: [counted] })
    let runs = 0
    let pending = gate()
    const model = withCache(
      async (id: number) => {
        const run = ++runs
        if (run > 1) await pending.promise // each refresh waits, so the stale entry stays
        return `run ${run} for ${id}`
      },
      { cache, ttl: 60, staleWhileRevalidate: 600, namespace: 'generations' },
    )
    await model(1)
    for (let generation = 1; generation <= 3; generation++) {
      clock.advance(61_000) // no call while the last refresh's entry was fresh
      expect(await model(1)).toBe(`run ${generation} for 1`) // stale: served, refreshed
      lookups.count = 0
      expect(await model(1)).toBe(`run ${generation} for 1`) // while the refresh runs
      expect({ generation, lookups: lookups.count }).toEqual({ generation, lookups: 0 })
      pending.open()
      await settle()
      pending = gate()
    }
  })
})
