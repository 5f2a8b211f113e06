import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import type { Entry, KeyPredicate } from '../../src/storage/tier'
import { FakeClock } from '../../src/testing/fake-clock'
import { gate } from '../helpers/gate'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'

useTempDirs()

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('Cache', () => {
  let dir: string
  let clock: FakeClock
  /** A cache over the shared folder and clock; several of them act like several processes. */
  const open = openCaches(() => ({ cacheDir: dir, clock }))
  /** What the file tier holds for `key`, read by a cache with an empty memory tier. */
  const onDisk = (key: string) => open().get(key)
  const fileOf = (key: string) =>
    JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as { expiresAt: number | null }

  beforeEach(() => {
    dir = makeTempDir()
    clock = new FakeClock()
  })

  describe('lifetimes', () => {
    it('entries live 24 hours by default, in memory and on disk', async () => {
      const cache = open()
      const start = clock.now()
      await cache.set('k', 'v')
      expect(fileOf('k').expiresAt).toBe(start + DAY)
      clock.advance(DAY - 1)
      expect(await cache.get('k')).toBe('v')
      expect(await onDisk('k')).toBe('v')
      clock.advance(1)
      expect(await cache.get('k')).toBeUndefined()
      expect(await onDisk('k')).toBeUndefined()
    })

    it.each([
      [90, 90 * SECOND],
      [0.25, 250],
      ['90s', 90 * SECOND],
      ['30m', 30 * MINUTE],
      ['1h', HOUR],
      ['7d', 7 * DAY],
      ['250ms', 250],
      [{ ttl: 60 }, MINUTE],
      [{ ttl: '2h', memoryTtl: '1h' }, 2 * HOUR],
    ])('set(key, value, %p) keeps the entry %p ms', async (ttl, ms) => {
      const cache = open()
      await cache.set('k', { n: 1 }, ttl)
      clock.advance(ms - 1)
      expect(await cache.get('k')).toEqual({ n: 1 })
      clock.advance(1)
      expect(await cache.has('k')).toBe(false)
      expect(await onDisk('k')).toBeUndefined()
    })

    it('a cache-wide ttl applies to every set without one', async () => {
      const cache = open({ ttl: '1h' })
      await cache.set('k', 1)
      expect(fileOf('k').expiresAt).toBe(clock.now() + HOUR)
      expect(cache.peek('k')?.expiresAt).toBe(clock.now() + HOUR)
    })

    it('ttl Infinity never expires', async () => {
      const cache = open()
      await cache.set('k', 1, Infinity)
      expect(fileOf('k').expiresAt).toBeNull()
      clock.advance(1_000 * DAY)
      expect(await onDisk('k')).toBe(1)
    })

    it('memoryTtl makes the memory copy shorter-lived than the file entry', async () => {
      const cache = open()
      await cache.set('k', 'v', { ttl: 60, memoryTtl: 10 })
      expect(cache.memoryCache.has('k')).toBe(true)
      clock.advance(10 * SECOND)
      expect(cache.memoryCache.has('k')).toBe(false)
      expect(await cache.get('k')).toBe('v') // from the file
      expect((await cache.stats()).hits.file).toBe(1)
      clock.advance(50 * SECOND)
      expect(await cache.get('k')).toBeUndefined()
    })

    it('a memoryTtl longer than ttl is cut to ttl', async () => {
      const cache = open()
      await cache.set('k', 'v', { ttl: 10, memoryTtl: 60 })
      clock.advance(10 * SECOND)
      expect(cache.memoryCache.has('k')).toBe(false)
      expect(await cache.get('k')).toBeUndefined()
    })

    it('a cache-wide memoryTtl also bounds copies promoted from the file', async () => {
      await open().set('k', 'v', 60)
      const reader = open({ memoryTtl: '10s' })
      expect(await reader.get('k')).toBe('v')
      expect(reader.peek('k')?.expiresAt).toBe(clock.now() + 10 * SECOND)
    })

    it('a per-call memoryTtl still bounds the copy promoted back from the file', async () => {
      const cache = open()
      await cache.set('k', 'v', { ttl: 60, memoryTtl: 10 })
      clock.advance(10 * SECOND)
      expect(await cache.get('k')).toBe('v') // promoted again from the file
      const promoted = cache.peek('k')?.expiresAt
      expect(promoted).toBeDefined()
      expect(promoted).toBeLessThanOrEqual(clock.now() + 10 * SECOND)
    })
  })

  describe('promotion', () => {
    it('a file hit is copied into memory with its remaining lifetime, never longer', async () => {
      const writer = open()
      const expiresAt = clock.now() + MINUTE
      await writer.set('k', { at: new Date(5), tags: new Set(['a']) }, 60)
      clock.advance(20 * SECOND)
      const reader = open()
      expect(reader.memoryCache.has('k')).toBe(false)
      expect(await reader.get('k')).toEqual({ at: new Date(5), tags: new Set(['a']) })
      expect(reader.memoryCache.has('k')).toBe(true)
      expect(reader.peek('k')?.expiresAt).toBe(expiresAt)
      expect((await reader.stats()).hits).toEqual({ memory: 1, file: 1 }) // the peek above hit memory
      clock.advance(40 * SECOND) // the file entry expires: so does the memory copy
      expect(reader.memoryCache.has('k')).toBe(false)
      expect(await reader.get('k')).toBeUndefined()
    })
  })

  describe('API', () => {
    it('get, set, has and delete', async () => {
      const cache = open()
      expect(await cache.get('k')).toBeUndefined()
      expect(await cache.has('k')).toBe(false)
      await cache.set('k', { v: 1 })
      expect(await cache.get('k')).toEqual({ v: 1 })
      expect(await cache.has('k')).toBe(true)
      expect(await cache.delete('k')).toBe(true)
      expect(await cache.delete('k')).toBe(false)
      expect(await cache.has('k')).toBe(false)
      expect(await onDisk('k')).toBeUndefined()
    })

    it.each([0, '', false, null])('the falsy value %p is a hit, not a miss', async (value) => {
      const cache = open()
      await cache.set('k', value)
      expect(await cache.has('k')).toBe(true)
      expect(await cache.get('k')).toBe(value)
      expect(await onDisk('k')).toBe(value)
    })

    it('clear() takes a glob, a RegExp, an exact key or nothing, and counts each key once', async () => {
      const cache = open()
      for (const key of ['video_1_frames', 'video_1_audio', 'video_2_frames', 'audio_1', 'Video_3'])
        await cache.set(key, key)
      await open().set('video_1_thumbs', 'only on disk')
      expect(await cache.clear('video_1_*')).toBe(3)
      expect(await cache.clear(/_frames$/)).toBe(1)
      expect(await cache.clear('audio_1')).toBe(1)
      expect(await cache.clear('audio_1')).toBe(0)
      expect(await cache.get('video_2_frames')).toBeUndefined()
      expect(await onDisk('video_1_thumbs')).toBeUndefined()
      expect(await cache.clear()).toBe(1)
      expect(await onDisk('Video_3')).toBeUndefined()
      expect(readdirSync(dir).filter((name) => name.endsWith('.json'))).toEqual([])
    })

    it('cleanup() removes expired entries from every tier and returns the count', async () => {
      const cache = open()
      await cache.set('short', 1, 10)
      await cache.set('long', 2, 100)
      expect(await cache.cleanup()).toBe(0)
      clock.advance(10 * SECOND)
      expect(await cache.cleanup()).toBe(1)
      expect([...cache.memoryCache.keys()]).toEqual(['long'])
      expect(await cache.stats()).toMatchObject({ memoryEntries: 1, fileEntries: 1 })
    })

    it('getOrSet() computes once for 50 concurrent callers, then serves the stored value', async () => {
      const cache = open()
      let release!: (value: { n: number }) => void
      const gate = new Promise<{ n: number }>((resolve) => (release = resolve))
      const compute = jest.fn(() => gate)
      const callers = Array.from({ length: 50 }, () => cache.getOrSet('k', compute, '1m'))
      const value = { n: 42 }
      release(value)
      const results = await Promise.all(callers)
      expect(compute).toHaveBeenCalledTimes(1)
      for (const result of results) expect(result).toBe(value)
      expect(await cache.getOrSet('k', compute)).toBe(value)
      expect(compute).toHaveBeenCalledTimes(1)
      expect(await onDisk('k')).toEqual(value)
      clock.advance(MINUTE)
      expect(await cache.has('k')).toBe(false)
    })

    it('getOrSet() shares a rejection with every waiter and does not store it', async () => {
      const cache = open()
      const failure = new Error('model crashed')
      const compute = jest.fn(async () => {
        await new Promise((resolve) => setImmediate(resolve))
        throw failure
      })
      const settled = await Promise.allSettled(
        Array.from({ length: 50 }, () => cache.getOrSet('k', compute)),
      )
      expect(compute).toHaveBeenCalledTimes(1)
      for (const result of settled) expect(result).toEqual({ status: 'rejected', reason: failure })
      expect(await cache.has('k')).toBe(false)
      expect(await cache.getOrSet('k', async () => 'second try')).toBe('second try')
    })

    it('getOrSet() returns a value found on disk without computing', async () => {
      await open().set('k', 'from disk')
      const compute = jest.fn(() => 'computed')
      expect(await open().getOrSet('k', compute)).toBe('from disk')
      expect(compute).not.toHaveBeenCalled()
    })

    it('stats() reports sizes, and hits and misses per tier', async () => {
      const cache = open()
      await cache.set('a', 'x'.repeat(100))
      await cache.set('b', [1, 2, 3])
      await cache.get('a') // memory hit
      await cache.get('missing') // memory miss, file miss
      const stats = await cache.stats()
      const files = readdirSync(dir).filter((name) => name.endsWith('.json'))
      expect(stats).toMatchObject({
        memoryEntries: 2,
        fileEntries: files.length,
        errors: 0,
        evictions: 0,
      })
      expect(stats.fileBytes).toBe(
        files.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0),
      )
      expect(stats.memoryBytes).toBeGreaterThan(100)
      expect(stats.hits).toEqual({ memory: 1, file: 0 })
      expect(stats.misses).toEqual({ memory: 1, file: 1 })
    })

    it('cacheDir is the absolute folder of the file tier, and undefined without one', () => {
      expect(open().cacheDir).toBe(resolve(dir))
      expect(open({ cacheDir: 'relative-dir' }).cacheDir).toBe(resolve('relative-dir'))
      expect(open({ tiers: [new MemoryTier()] }).cacheDir).toBeUndefined()
    })

    it('memoryCache is a read-only view: nothing can be assigned or written through it', async () => {
      const cache = open()
      await cache.set('k', 1)
      const view = cache.memoryCache
      expect(view.size).toBe(1)
      expect([...view.keys()]).toEqual(['k'])
      expect(view.has('k')).toBe(true)
      expect(Object.isFrozen(view)).toBe(true)
      // @ts-expect-error the view has no set()
      expect(() => view.set('x', 2)).toThrow(TypeError)
      // @ts-expect-error size is read-only
      expect(() => (view.size = 5)).toThrow(TypeError)
      // @ts-expect-error memoryCache is a getter
      expect(() => (cache.memoryCache = view)).toThrow(TypeError)
      expect(() => Object.assign(view, { delete: () => true })).toThrow(TypeError)
      expect([...cache.memoryCache.keys()]).toEqual(['k'])
      expect(await cache.get('x')).toBeUndefined()
    })
  })

  describe('invalidation on a slow disk', () => {
    /** A file tier on a slow disk: the methods named in `slow` wait for the test to let them through. */
    class SlowDiskTier extends FileTier {
      readonly started = gate()
      readonly release = gate()
      slow = ['set', 'delete', 'clear']
      async #slow<R>(method: string, work: () => Promise<R>): Promise<R> {
        if (!this.slow.includes(method)) return work()
        this.started.open()
        await this.release.promise
        return work()
      }
      override set(entry: Entry): Promise<void> {
        return this.#slow('set', () => super.set(entry))
      }
      override delete(key: string): Promise<boolean> {
        return this.#slow('delete', () => super.delete(key))
      }
      override clear(match?: KeyPredicate): Promise<number> {
        return this.#slow('clear', () => super.clear(match))
      }
    }
    const slowCache = async (...keys: string[]) => {
      for (const key of keys) await open().set(key, 'old') // on disk only
      const disk = new SlowDiskTier({ dir, clock })
      return { disk, cache: open({ tiers: [new MemoryTier({ clock }), disk] }) }
    }

    it('a get() made while delete() reaches the disk never copies the deleted value into memory', async () => {
      const { disk, cache } = await slowCache('k')
      const deleting = cache.delete('k')
      await disk.started.promise
      await cache.get('k') // the file is still there: read, and (wrongly) promoted
      disk.release.open()
      expect(await deleting).toBe(true)
      expect(await cache.get('k')).toBeUndefined()
    })

    it('a get() made while clear() reaches the disk never copies a cleared value into memory', async () => {
      const { disk, cache } = await slowCache('video_1')
      const clearing = cache.clear('video_*')
      await disk.started.promise
      await cache.get('video_1')
      disk.release.open()
      expect(await clearing).toBe(1)
      expect(await cache.get('video_1')).toBeUndefined()
    })

    it('clear() removes a computed result that was still on its way to disk when it began', async () => {
      const disk = new SlowDiskTier({ dir, clock })
      const cache = open({ tiers: [new MemoryTier({ clock }), disk] })
      const loading = cache.getOrSet('k', async () => 'computed before the clear')
      await disk.started.promise // in memory already; the disk write is under way
      const clearing = cache.clear()
      disk.release.open()
      await Promise.all([clearing, loading])
      expect(await cache.get('k')).toBeUndefined()
      expect(await onDisk('k')).toBeUndefined()
    })

    it('clear() removes a copy that a read was still promoting into a middle tier when it began', async () => {
      const below = makeTempDir()
      await open({ cacheDir: below }).set('k', 'old') // only in the slowest tier
      const disk = new SlowDiskTier({ dir, clock })
      disk.slow = ['set']
      const tiers = [new MemoryTier({ clock }), disk, new FileTier({ dir: below, clock })]
      const cache = open({ tiers })
      const reading = cache.get('k') // found in the slowest tier: copied up into memory, then the middle tier
      await disk.started.promise
      const clearing = cache.clear()
      disk.release.open()
      await Promise.all([reading, clearing])
      expect(await cache.get('k')).toBeUndefined()
    })

    it('a set() made while clear() runs is kept on disk: the clear never removes a later write', async () => {
      const { disk, cache } = await slowCache()
      disk.slow = ['clear']
      const clearing = cache.clear()
      await disk.started.promise // memory is cleared; the disk is not yet
      const setting = cache.set('k', 'set after the clear began')
      // Time for the write to land, were it not held back until the clear is done.
      await Promise.race([setting, new Promise((resolve) => setTimeout(resolve, 100))])
      disk.release.open()
      await Promise.all([clearing, setting])
      expect(await cache.get('k')).toBe('set after the clear began')
      expect(await onDisk('k')).toBe('set after the clear began')
    })
  })

  describe('background cleanup', () => {
    /** A memory tier that counts the cleanup() calls reaching it. */
    class CountingTier extends MemoryTier {
      prunes = 0
      override async prune(): Promise<number> {
        this.prunes++
        return super.prune()
      }
    }

    it.each([[Infinity], ['30d'], [2_200_000]])(
      'a cleanupInterval longer than a timer can hold (%p) never runs cleanup in a tight loop',
      async (cleanupInterval) => {
        const tier = new CountingTier()
        const warnings: string[] = []
        const onWarning = (warning: Error) => warnings.push(warning.name)
        process.on('warning', onWarning)
        try {
          const cache = open({ tiers: [tier], cleanupInterval })
          await new Promise((resolve) => setTimeout(resolve, 50))
          await cache.close()
        } finally {
          process.off('warning', onWarning)
        }
        expect(tier.prunes).toBe(0)
        expect(warnings).not.toContain('TimeoutOverflowWarning')
      },
    )
  })
})

describe('counts of cleanup()', () => {
  let dir: string
  let clock: FakeClock
  const open = openCaches(() => ({ cacheDir: dir, clock }))
  beforeEach(() => {
    dir = makeTempDir()
    clock = new FakeClock()
  })

  it('cleanup() counts no entry as removed while every entry is still readable (only memory copies expired)', async () => {
    const cache = open({ ttl: 100, memoryTtl: 10 })
    await cache.set('a', 1)
    await cache.set('b', 2)
    clock.advance(20_000)
    const removed = await cache.cleanup()
    expect([await cache.get('a'), await cache.get('b')]).toEqual([1, 2])
    expect(removed).toBe(0)
  })

  it('cleanup() counts each expired entry once over both tiers', async () => {
    const cache = open({ ttl: 10 })
    await cache.set('a', 1)
    await cache.set('b', 2)
    clock.advance(10_000)
    expect(await cache.cleanup()).toBe(2)
    expect(await cache.cleanup()).toBe(0)
  })
})
