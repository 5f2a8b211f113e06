import { Cache } from '../../src/storage/cache'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { FakeClock } from '../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { openCaches } from '../helpers/open-caches'

useTempDirs()

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

  it('cleanup() counts each expired entry once over both tiers (checked, correct)', async () => {
    const cache = open({ ttl: 10 })
    await cache.set('a', 1)
    await cache.set('b', 2)
    clock.advance(10_000)
    expect(await cache.cleanup()).toBe(2)
    expect(await cache.cleanup()).toBe(0)
  })
})

describe('ArgsIndex fast path (checked, correct)', () => {
  it('never serves a copy replaced by a value too large for memory, or past a memoryTtl', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const cache = new Cache({
      tiers: [new MemoryTier({ maxEntryBytes: 100, clock }), new FileTier({ dir, clock })],
      clock,
      cleanupInterval: false,
    })
    let n = 0
    const f = withCache(async (id: string) => `${id}#${++n}`, {
      cache,
      namespace: 'ix',
      memoryTtl: 5,
      ttl: 60,
    })
    expect(await f('a')).toBe('a#1')
    expect(await f('a')).toBe('a#1') // remembered by argument now
    await cache.set(f.keyFor('a'), 'x'.repeat(500)) // too large for memory: lives on disk only
    expect(await f('a')).toBe('x'.repeat(500))
    await cache.set(f.keyFor('a'), 'small again')
    expect(await f('a')).toBe('small again')
    expect(await f('a')).toBe('small again')
    await f.invalidate('a')
    expect(await f('a')).toBe('a#2') // stored by f, with its memoryTtl of 5 s
    expect(await f('a')).toBe('a#2')
    clock.advance(5_000) // the memory copy expires; the file entry lives on
    await new FileTier({ dir, clock }).set({
      key: f.keyFor('a'),
      value: 'changed on disk',
      encoded: '"changed on disk"',
      expiresAt: clock.now() + 60_000,
    })
    expect(await f('a')).toBe('changed on disk')
    await cache.close()
  })

  it('finds object arguments by their text, in any key order, and never conflates what JSON writes alike', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    let runs = 0
    const f = withCache(async (arg: unknown) => `${typeof arg}:${++runs}`, {
      cache,
      namespace: 'ix',
    })
    const query = () => ({ videoId: 'v', opts: { fps: 30, model: 'clip' } })
    const first = await f(query())
    for (let i = 0; i < 3; i++) expect(await f(query())).toBe(first) // the second call remembers it by its text
    expect(await f({ opts: { model: 'clip', fps: 30 }, videoId: 'v' })).toBe(first)
    expect(runs).toBe(1)
    // Each pair shares a JSON text; the first of each is remembered (called twice), then the second must miss.
    const pairs: [unknown, unknown][] = [
      [{ d: '1970-01-01T00:00:00.000Z' }, { d: new Date(0) }],
      [{ a: null }, { a: NaN }],
      [{ b: 1 }, { a: undefined, b: 1 }], // same data: this pair shares a key too
      [{ m: {} }, { m: new Map() }],
    ]
    for (const [plain, other] of pairs) {
      const stored = await f(plain)
      expect(await f(plain)).toBe(stored)
      const otherRuns = runs
      await f(other)
      expect(runs - otherRuns).toBe(f.keyFor(plain) === f.keyFor(other) ? 0 : 1)
    }
    // An argument changed after the call is a new question, not the remembered one.
    const mutable = { videoId: 'w', opts: { fps: 24, model: 'clip' } }
    const before = await f(mutable)
    expect(await f(mutable)).toBe(before)
    mutable.opts.fps = 25
    expect(await f(mutable)).not.toBe(before)
    await cache.close()
  })

  it('large object arguments still hit (by key, not remembered by text)', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    let runs = 0
    const f = withCache(async (q: { ids: number[] }) => (runs++, q.ids.length), {
      cache,
      namespace: 'big',
    })
    const query = () => ({ ids: Array.from({ length: 1_000 }, (_, i) => i) })
    for (let i = 0; i < 3; i++) expect(await f(query())).toBe(1_000)
    expect(runs).toBe(1)
    await cache.close()
  })

  it('keeps calls that differ only in argument count or in a trailing undefined apart', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    const f = withCache(async (...args: unknown[]) => args.length, { cache, namespace: 'ix' })
    for (let round = 0; round < 2; round++) {
      expect(await f()).toBe(0)
      expect(await f(undefined)).toBe(1)
      expect(await f(undefined, undefined)).toBe(2)
    }
    await cache.close()
  })
})

describe('file attachments (checked, correct)', () => {
  it('a value holding more byte arrays than IOV_MAX (1024) round-trips through writev', async () => {
    const dir = makeTempDir()
    const frames = Array.from({ length: 1500 }, (_, i) => Buffer.alloc(4096, i % 251))
    await new Cache({ cacheDir: dir, cleanupInterval: false }).set('frames', frames)
    const back = await new Cache({ cacheDir: dir, cleanupInterval: false }).get<Buffer[]>('frames')
    expect(back).toHaveLength(1500)
    expect(back!.every((b, i) => b.equals(frames[i]!))).toBe(true)
  })
})
