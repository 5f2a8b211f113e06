import { Cache } from '../../src/storage/cache'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { encode } from '../../src/core/codec'
import { FakeClock } from '../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'
import { gate } from '../helpers/gate'

useTempDirs()

describe('races between get/set/delete and promotion or computation', () => {
  let dir: string
  let clock: FakeClock
  const open = openCaches(() => ({ cacheDir: dir, clock }))
  beforeEach(() => {
    dir = makeTempDir()
    clock = new FakeClock()
  })

  it('a delete() made while a get() reads the file is not undone by the promotion', async () => {
    await open().set('k', 'old') // on disk; the cache below has a cold memory tier
    const cache = open()
    const reading = cache.get('k') // memory miss: reads the file
    await cache.delete('k')
    await reading
    expect(await cache.get('k')).toBeUndefined()
  })

  it('a set() made while a get() reads the file is not overwritten in memory by the older value', async () => {
    await open().set('k', 'old')
    const cache = open()
    const reading = cache.get('k')
    await cache.set('k', 'new')
    await reading
    expect(await cache.get('k')).toBe('new')
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

describe('FileTier removes an expired file without the key lock', () => {
  it('a set() racing with get() of an expired entry is never lost', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const tier = new FileTier({ dir, clock })
    const entry = (value: string, ttlMs: number) => ({
      key: 'k',
      value,
      encoded: encode(value),
      expiresAt: clock.now() + ttlMs,
    })
    let lost = 0
    for (let i = 0; i < 200; i++) {
      await tier.set(entry('old', 1))
      clock.advance(2) // the file entry is now expired
      await Promise.all([tier.get('k'), tier.set(entry(`new ${i}`, 60_000))])
      if ((await tier.get('k'))?.value !== `new ${i}`) lost++
    }
    expect(lost).toBe(0)
  })
})

describe('memory tier of a memory-only cache', () => {
  it('keeps the latest of two concurrent set() calls', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    await Promise.all([cache.set('k', 1), cache.set('k', 2)])
    expect(await cache.get('k')).toBe(2)
  })
})

describe('a failed write and a later successful one', () => {
  it('the failure does not remove the value a later set() stored (in memory and on disk)', async () => {
    const dir = makeTempDir()
    const hiccup = gate()
    /** A real file tier whose write of one particular value fails, once let go. */
    class FlakyFileTier extends FileTier {
      override async set(entry: Parameters<FileTier['set']>[0]): Promise<void> {
        if (entry.value === 'A') {
          await hiccup.promise
          throw new Error('disk hiccup')
        }
        return super.set(entry)
      }
    }
    const cache = new Cache({
      tiers: [new MemoryTier(), new FlakyFileTier({ dir })],
      cleanupInterval: false,
    })
    const first = cache.set('k', 'A')
    await cache.set('k', 'B') // in memory and on disk, and its caller is told so
    hiccup.open()
    await expect(first).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(await cache.get('k')).toBe('B')
    const reopened = new Cache({ cacheDir: dir, cleanupInterval: false })
    expect(await reopened.get('k')).toBe('B')
    await Promise.all([cache.close(), reopened.close()])
  })

  it('a failed write with no later one still leaves no trace of the key', async () => {
    const dir = makeTempDir()
    class FailingFileTier extends FileTier {
      override async set(): Promise<void> {
        throw new Error('disk full')
      }
    }
    const cache = new Cache({
      tiers: [new MemoryTier(), new FailingFileTier({ dir })],
      cleanupInterval: false,
    })
    await expect(cache.set('k', 'A')).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(cache.peek('k')).toBeUndefined()
    await cache.close()
  })
})
