import { WriteTracker } from '../../src/storage/write-tracker'
import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'
import { gate } from '../helpers/gate'

useTempDirs()

describe('WriteTracker', () => {
  it('sees writes to its own key made after it opened, not before, and not to other keys', () => {
    const tracker = new WriteTracker()
    tracker.noteWrite('a') // before: irrelevant
    const watch = tracker.watch('a')
    tracker.noteWrite('b')
    expect(tracker.changedSince(watch)).toBe(false)
    tracker.noteWrite('a')
    expect(tracker.changedSince(watch)).toBe(true)
    tracker.unwatch(watch)
  })

  it('overlapping watches of one key each judge from their own start', () => {
    const tracker = new WriteTracker()
    const older = tracker.watch('k')
    tracker.noteWrite('k')
    const newer = tracker.watch('k')
    expect([tracker.changedSince(older), tracker.changedSince(newer)]).toEqual([true, false])
    tracker.unwatch(older)
    expect(tracker.changedSince(newer)).toBe(false) // closing the older one does not forget what the newer needs
    tracker.noteWrite('k')
    expect(tracker.changedSince(newer)).toBe(true)
    tracker.unwatch(newer)
  })

  it('closing one watch does not forget a write another open watch has yet to ask about', () => {
    const tracker = new WriteTracker()
    const a = tracker.watch('a')
    const b = tracker.watch('b')
    tracker.noteWrite('b')
    tracker.unwatch(a)
    expect(tracker.changedSince(b)).toBe(true)
    tracker.unwatch(b)
  })

  it('a write made while no watch was open does not count against a later watch', () => {
    const tracker = new WriteTracker()
    tracker.unwatch(tracker.watch('k'))
    tracker.noteWrite('k')
    const watch = tracker.watch('k')
    expect(tracker.changedSince(watch)).toBe(false)
    tracker.unwatch(watch)
  })

  it('a clear counts as a write to every key watched at the time', () => {
    const tracker = new WriteTracker()
    const a = tracker.watch('a')
    const b = tracker.watch('b')
    tracker.noteClear()
    const later = tracker.watch('a')
    expect([tracker.changedSince(a), tracker.changedSince(b), tracker.changedSince(later)]).toEqual(
      [true, true, false],
    )
  })

  it('a watch that never closes does not make writes to other keys count, however many there are', () => {
    const tracker = new WriteTracker()
    const forever = tracker.watch('held open')
    const mine = tracker.watch('k')
    for (let i = 0; i < 50_000; i++) tracker.noteWrite(`key${i}`)
    expect(tracker.changedSince(mine)).toBe(false)
    expect(tracker.changedSince(forever)).toBe(false)
    tracker.noteWrite('k')
    expect(tracker.changedSince(mine)).toBe(true)
    tracker.unwatch(mine)
    tracker.unwatch(forever)
  })
})

// The tracker keeps a record per watched key, dropped with its last watch: writes to other keys never count,
// however many, so nothing needs a bound that a busy process could overflow (and then count as "changed").
describe('writes to other keys never keep a long computation from being stored', () => {
  it('memory-only cache: 20 000 other keys stored during a long computation', async () => {
    const cache = new Cache({
      tiers: [new MemoryTier({ maxEntries: 100_000 })],
      cleanupInterval: false,
    })
    try {
      const slow = gate<string>()
      const loading = cache.getOrSet('video:analysis:42', () => slow.promise)
      // Meanwhile the application caches other, unrelated results (plain misses computed and stored).
      for (let i = 0; i < 20_000; i++) await cache.getOrSet(`thumb:${i}`, () => i)
      slow.open('expensive result')
      expect(await loading).toBe('expensive result')
      await Promise.resolve()
      expect(cache.peek('video:analysis:42')?.value).toBe('expensive result')
    } finally {
      await cache.close()
    }
  }, 120_000) // 20 000 misses: slow on a loaded machine, and nothing here depends on speed

  describe('memory + file cache', () => {
    let dir: string
    const open = openCaches(() => ({ cacheDir: dir }))
    beforeEach(() => {
      dir = makeTempDir()
    })

    it('with a computation that never settles, and 20 000 keys written during a long one', async () => {
      const cache = open()
      // One hung computation (an upstream call without a timeout): its watch stays open for ever, so the
      // tracker never forgets and keeps counting towards the epoch bump for the rest of the process.
      void cache.getOrSet('hung', () => new Promise<string>(() => {}))
      const analyse = withCache(
        async (id: string, release: Promise<void>) => (await release, `analysis of ${id}`),
        {
          cache,
          key: (id) => `analysis:${id}`,
        },
      )
      const release = gate()
      const running = analyse('v1', release.promise)
      // Other traffic: set() of distinct keys (memory-only writes via a second cache would not count; these do).
      for (let i = 0; i < 20_000; i += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, j) => cache.set(`other:${i + j}`, i + j)))
      }
      release.open()
      expect(await running).toBe('analysis of v1')
      expect(await cache.get('analysis:v1')).toBe('analysis of v1')
    }, 120_000)
  })
})
