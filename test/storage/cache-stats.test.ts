import { StorageError } from '../../src/core/exceptions'
import { fanOutEvents, type CacheEvents } from '../../src/storage/cache-events'
import { StatsRecorder, summarizeStats } from '../../src/storage/cache-stats'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FailingTier } from '../helpers/failing-tier'

const sizes = { entries: 3, bytes: 10, evictions: 1 }

describe('StatsRecorder', () => {
  it('counts hits, misses and errors per tier position, and writes and removals in total', () => {
    const stats = new StatsRecorder(2)
    stats.hit(0, 'k')
    stats.hit(1, 'k')
    stats.hit(1, 'k')
    stats.miss(0)
    stats.error(1)
    stats.set()
    stats.delete()
    stats.delete()
    const [memory, other] = [new MemoryTier(), new FailingTier('file')]
    expect(stats.report(memory, 0, sizes)).toEqual({
      name: 'memory',
      ...sizes,
      hits: 1,
      misses: 1,
      errors: 0,
    })
    expect(stats.report(other, 1, sizes)).toMatchObject({ hits: 2, misses: 0, errors: 1 })
    expect(stats.writes).toEqual({ sets: 1, deletes: 2 })
  })
})

describe('StatsRecorder freshness counts', () => {
  it('counts stale values served by reason, refreshes by phase and timeouts by kind', () => {
    const stats = new StatsRecorder(1)
    stats.staleServed(0, 'k', 'revalidate')
    stats.staleServed(0, 'k', 'revalidate')
    stats.staleServed(0, 'k', 'error')
    stats.refresh('k', 'start')
    stats.refresh('k', 'fail')
    stats.timeout('k', 'soft')
    expect(stats.freshness).toEqual({
      staleServed: { revalidate: 2, error: 1, timeout: 0 },
      refreshes: { start: 1, done: 0, fail: 1 },
      timeouts: { soft: 1, hard: 0 },
    })
  })
})

describe('summarizeStats', () => {
  it('gives memory and file sizes by name and sums the counts over tiers', () => {
    const stats = new StatsRecorder(2)
    stats.hit(0, 'k')
    stats.miss(1)
    const perTier = [
      stats.report(new MemoryTier(), 0, sizes),
      stats.report(new FailingTier('file'), 1, { entries: 7, bytes: 70, evictions: 0 }),
    ]
    expect(summarizeStats(perTier)).toEqual({
      memoryEntries: 3,
      memoryBytes: 10,
      fileEntries: 7,
      fileBytes: 70,
      hits: { memory: 1, file: 0 },
      misses: { memory: 0, file: 1 },
      evictions: 1,
      errors: 0,
      functions: {},
      tiers: perTier,
    })
  })
})

describe('fanOutEvents', () => {
  it('passes every event to each sink, in order', () => {
    const seen: string[] = []
    const sink = (name: string): CacheEvents => ({
      hit: (tier, key) => seen.push(`${name} hit ${tier} ${key}`),
      miss: (tier, key) => seen.push(`${name} miss ${tier} ${key}`),
      set: (key) => seen.push(`${name} set ${key}`),
      delete: (key) => seen.push(`${name} delete ${String(key)}`),
      error: (tier, error) => seen.push(`${name} error ${tier} ${error.code}`),
      joined: (key) => seen.push(`${name} joined ${key}`),
      compute: (_key, _fn, _refresh, run) => run(),
      computed: (key) => seen.push(`${name} computed ${key}`),
      bus: (direction) => seen.push(`${name} bus ${direction}`),
      staleServed: (tier, key, reason) => seen.push(`${name} stale ${tier} ${key} ${reason}`),
      refresh: (key, phase) => seen.push(`${name} refresh ${key} ${phase}`),
      timeout: (key, kind) => seen.push(`${name} timeout ${key} ${kind}`),
      lease: (key, phase) => seen.push(`${name} lease ${key} ${phase}`),
    })
    const both = fanOutEvents([sink('a'), sink('b')])
    both.hit(0, 'k')
    both.miss(1, 'k')
    both.set('k')
    both.delete(undefined)
    both.error(1, new StorageError('x'))
    expect(seen).toEqual([
      'a hit 0 k',
      'b hit 0 k',
      'a miss 1 k',
      'b miss 1 k',
      'a set k',
      'b set k',
      'a delete undefined',
      'b delete undefined',
      'a error 1 E_STORAGE',
      'b error 1 E_STORAGE',
    ])
  })
})
