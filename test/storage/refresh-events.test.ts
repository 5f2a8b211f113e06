import type { StorageError } from '../../src/core/exceptions'
import type { CacheEvents } from '../../src/storage/cache-events'
import { StatsRecorder } from '../../src/storage/cache-stats'
import { fanOutEvents } from '../../src/storage/cache-events'
import { FlightRegistry } from '../../src/storage/flights'
import { freshnessPolicy, type FreshnessOptions } from '../../src/storage/freshness'
import { Invalidation } from '../../src/storage/invalidation'
import { LifetimePolicy } from '../../src/storage/lifetimes'
import { LoadHandler } from '../../src/storage/load'
import { RefreshPolicy } from '../../src/storage/refresh'
import { TierStack } from '../../src/storage/tier-stack'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { WriteTracker } from '../../src/storage/write-tracker'
import { FakeClock } from '../../src/testing'

/** A RefreshPolicy over a memory tier, its events written down as `[name, ...args]` and counted. */
function refreshOver(options: FreshnessOptions) {
  const clock = new FakeClock()
  const seen: unknown[][] = []
  const log: CacheEvents = {
    hit: () => {},
    miss: () => {},
    set: () => {},
    delete: () => {},
    error: () => {},
    joined: () => {},
    compute: (_key, _fn, _refresh, run) => run(),
    computed: () => {},
    bus: () => {},
    lease: () => {},
    staleServed: (tier, key, reason) => seen.push(['staleServed', tier, key, reason]),
    refresh: (key, phase, error) => seen.push(['refresh', key, phase, (error as Error)?.message]),
    timeout: (key, kind) => seen.push(['timeout', key, kind]),
  }
  const stats = new StatsRecorder(1)
  const events = fanOutEvents([stats, log])
  const errors: StorageError[] = []
  const onError = (e: StorageError) => void errors.push(e)
  const base = freshnessPolicy(options)
  const lifetimes = new LifetimePolicy(60, undefined, base)
  const writes = new WriteTracker()
  const flights = new FlightRegistry()
  const stack = new TierStack([new MemoryTier({ clock })], {
    clock,
    lifetimes,
    writes,
    events,
    report: onError,
  })
  const invalidation = new Invalidation(stack, flights, writes, events)
  const loader = new LoadHandler({
    stack,
    flights,
    invalidation,
    lifetimes,
    events,
    clock,
    onError,
  })
  const load = loader.load.bind(loader)
  const refresh = new RefreshPolicy({ stack, flights, clock, events, base, onError, load })
  return { refresh, clock, seen, stats, errors }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('RefreshPolicy events', () => {
  it('a stale hit under staleWhileRevalidate: staleServed(revalidate), then refresh start and done', async () => {
    const { refresh, clock, seen, stats } = refreshOver({ staleWhileRevalidate: 60 })
    await refresh.load('k', () => 'v1', {})
    clock.advance(61_000)
    expect(await refresh.load('k', () => 'v2', {})).toBe('v1')
    await settle()
    expect(seen).toEqual([
      ['refresh', 'k', 'start', undefined],
      ['staleServed', 0, 'k', 'revalidate'],
      ['refresh', 'k', 'done', undefined],
    ])
    expect(stats.freshness.refreshes).toEqual({ start: 1, done: 1, fail: 0 })
  })

  it('a failing refresh: refresh fail with the error, and onError gets a RefreshError', async () => {
    const { refresh, clock, seen, errors } = refreshOver({ staleWhileRevalidate: 60 })
    await refresh.load('k', () => 'v1', {})
    clock.advance(61_000)
    await refresh.load('k', () => Promise.reject(new Error('down')), {})
    await settle()
    expect(seen.at(-1)).toEqual(['refresh', 'k', 'fail', 'down'])
    expect(errors.map((e) => [e.code, e.key])).toEqual([['E_REFRESH', 'k']])
  })

  it('a failure covered by staleIfError: staleServed(error); a hard timeout: timeout(hard), staleServed(timeout)', async () => {
    const { refresh, clock, seen, stats } = refreshOver({ staleIfError: 600, hardTimeout: '5ms' })
    await refresh.load('k', () => 'v1', { hardTimeout: 0 })
    clock.advance(61_000)
    expect(await refresh.load('k', () => Promise.reject(new Error('down')), {})).toBe('v1')
    clock.advance(20_000) // past the error backoff
    expect(await refresh.load('k', () => new Promise<string>(() => {}), {})).toBe('v1')
    expect(seen).toEqual([
      ['staleServed', 0, 'k', 'error'],
      ['timeout', 'k', 'hard'],
      ['staleServed', 0, 'k', 'timeout'],
    ])
    expect(stats.freshness.timeouts).toEqual({ soft: 0, hard: 1 })
  })

  it('a soft timeout: timeout(soft), staleServed(timeout)', async () => {
    const { refresh, clock, seen } = refreshOver({ staleIfError: 600, timeout: '5ms' })
    await refresh.load('k', () => 'v1', {})
    clock.advance(61_000)
    expect(await refresh.load('k', () => new Promise<string>(() => {}), {})).toBe('v1')
    expect(seen).toEqual([
      ['timeout', 'k', 'soft'],
      ['staleServed', 0, 'k', 'timeout'],
    ])
  })
})
