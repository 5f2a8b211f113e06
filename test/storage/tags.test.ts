import { readdirSync } from 'node:fs'
import { MapTier } from '../../examples/custom-tier'
import { withCache } from '../../src/memoize/with-cache'
import { decodeBusMessage, encodeBusMessage } from '../../src/storage/bus'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FakeClock } from '../../src/testing/fake-clock'
import { gate } from '../helpers/gate'
import { delivered, LocalHub } from '../helpers/local-bus'
import { openCaches } from '../helpers/open-caches'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

let dir: string
let clock: FakeClock
/** A cache over the shared folder (memory → file); several of them act like several processes. */
const open = openCaches(() => ({ cacheDir: dir, clock }))

beforeEach(() => {
  dir = makeTempDir()
  clock = new FakeClock()
})

/** Three functions in two namespaces, all derived from videos; `calls` counts their computations. */
function videoFunctions(cache: ReturnType<typeof open>) {
  const calls = { describe: 0, transcript: 0, summary: 0 }
  const playlists: Record<string, string[]> = { p1: ['abc', 'def'], p2: ['xyz'] }
  const tagOf = (videoId: string) => [`video:${videoId}`]
  return {
    calls,
    // Hashed-object arguments: the key holds a hash, no glob on the video id can find it.
    describe: withCache(
      async (frame: { videoId: string; fps: number }) =>
        `scene of ${frame.videoId} ${++calls.describe}`,
      { cache, namespace: 'vision', tags: (frame) => tagOf(frame.videoId) },
    ),
    transcript: withCache(
      async function transcript(videoId: string) {
        return `words of ${videoId} ${++calls.transcript}`
      },
      { cache, namespace: 'text', tags: (videoId) => tagOf(videoId) },
    ),
    // Tags from the result: the summary of a playlist depends on each of its videos.
    summary: withCache(
      async function summary(playlistId: string) {
        return { playlistId, videos: playlists[playlistId]!, n: ++calls.summary }
      },
      { cache, namespace: 'text', resultTags: (result) => result.videos.flatMap(tagOf) },
    ),
  }
}

describe('invalidateTags', () => {
  it('makes every entry tagged video:abc a miss, in memory and on disk, and leaves video:xyz alone', async () => {
    const cache = open()
    const fns = videoFunctions(cache)
    const callAll = async () => [
      await fns.describe({ videoId: 'abc', fps: 2 }),
      await fns.transcript('abc'),
      await fns.summary('p1'),
      await fns.describe({ videoId: 'xyz', fps: 2 }),
      await fns.transcript('xyz'),
      await fns.summary('p2'),
    ]
    const first = await callAll()
    expect(await callAll()).toEqual(first) // hits
    expect(fns.calls).toEqual({ describe: 2, transcript: 2, summary: 2 })

    await cache.invalidateTags(['video:abc'])

    // On disk: a second cache over the folder (an empty memory tier) reads the files.
    const other = videoFunctions(open())
    const disk = open()
    expect(await disk.get(fns.describe.keyFor({ videoId: 'abc', fps: 2 }))).toBeUndefined()
    expect(await disk.get(fns.transcript.keyFor('abc'))).toBeUndefined()
    expect(await disk.get(fns.summary.keyFor('p1'))).toBeUndefined()
    expect(await disk.get(fns.describe.keyFor({ videoId: 'xyz', fps: 2 }))).toBe(first[3])
    expect(await disk.get(fns.transcript.keyFor('xyz'))).toBe(first[4])
    expect(await disk.get(fns.summary.keyFor('p2'))).toEqual(first[5])
    expect(other.calls).toEqual({ describe: 0, transcript: 0, summary: 0 })

    // In memory: the abc results are computed again, the xyz ones are hits.
    const after = await callAll()
    expect(fns.calls).toEqual({ describe: 3, transcript: 3, summary: 3 })
    expect(after.slice(3)).toEqual(first.slice(3))
    expect(after.slice(0, 3)).not.toEqual(first.slice(0, 3))
  })

  it('an entry written after the call is valid again, in memory and on disk', async () => {
    const cache = open()
    await cache.set('a', 1, { tags: ['t'] })
    await cache.invalidateTags('t')
    expect(await cache.get('a')).toBeUndefined()
    await cache.set('a', 2, { tags: ['t'] })
    expect(await cache.get('a')).toBe(2)
    expect(await open().get('a')).toBe(2)
    expect(await cache.getOrSet('b', () => 3, { tags: ['t', 'u'] })).toBe(3)
    await cache.invalidateTags(['u'])
    expect(await cache.getOrSet('b', () => 4, { tags: ['t', 'u'] })).toBe(4)
    expect(await open().get('b')).toBe(4)
  })

  it('untagged entries and entries of other tags are untouched', async () => {
    const cache = open()
    await cache.set('plain', 1)
    await cache.set('other', 2, { tags: ['video:xyz'] })
    await cache.invalidateTags(['video:abc'])
    expect([await cache.get('plain'), await cache.get('other')]).toEqual([1, 2])
    expect([await open().get('plain'), await open().get('other')]).toEqual([1, 2])
  })

  it('a memory-only cache keeps its tag counters in-process', async () => {
    const cache = open({ tiers: [new MemoryTier({ clock })] })
    await cache.set('a', 1, { tags: ['t'] })
    await cache.set('b', 2, { tags: ['u'] })
    await cache.invalidateTags(['t'])
    expect([await cache.get('a'), await cache.get('b')]).toEqual([undefined, 2])
    await cache.set('a', 3, { tags: ['t'] })
    expect(await cache.get('a')).toBe(3)
  })

  it('refuses tags that are not non-empty strings, with a TypeError', async () => {
    const cache = open()
    await expect(cache.invalidateTags([''])).rejects.toThrow(TypeError)
    await expect(cache.set('k', 1, { tags: [1 as never] })).rejects.toThrow(TypeError)
    await expect(cache.getOrSet('k', () => 1, { tags: 'x' as never })).rejects.toThrow(TypeError)
    expect(() => withCache(async () => 1, { cache, key: 'k', tags: [''] })).toThrow(TypeError)
  })
})

describe('a computation that overlaps invalidateTags', () => {
  it.each([
    ['memory → file', () => open()],
    ['memory only', () => open({ tiers: [new MemoryTier({ clock })] })],
  ])('does not store its result (%s)', async (_name, make) => {
    const cache = make()
    const slow = gate<string>()
    const loading = cache.getOrSet('k', () => slow.promise, { tags: ['t'] })
    const fromResult = gate<string>()
    const loadingByResult = cache.getOrSet('r', () => fromResult.promise, { tags: () => ['t'] })
    const unrelated = gate<string>()
    const loadingUnrelated = cache.getOrSet('u', () => unrelated.promise, { tags: ['other'] })
    await cache.invalidateTags(['t'])
    slow.open('old')
    fromResult.open('old')
    unrelated.open('fine')
    expect([await loading, await loadingByResult, await loadingUnrelated]).toEqual([
      'old',
      'old',
      'fine',
    ])
    expect([await cache.get('k'), await cache.get('r'), await cache.get('u')]).toEqual([
      undefined,
      undefined,
      'fine',
    ])
  })

  it('is not joined by a caller that comes after the invalidation', async () => {
    const cache = open()
    const slow = gate<string>()
    const first = cache.getOrSet('k', () => slow.promise, { tags: ['t'] })
    await cache.invalidateTags(['t'])
    const second = cache.getOrSet('k', async () => 'new', { tags: ['t'] })
    slow.open('old')
    expect([await first, await second]).toEqual(['old', 'new'])
    expect(await cache.get('k')).toBe('new')
  })

  it('a set() whose tag is invalidated while it reads the counters stores nothing', async () => {
    const cache = open()
    const setting = cache.set('k', 'old', { tags: ['t'] })
    const invalidating = cache.invalidateTags(['t'])
    await Promise.all([setting, invalidating])
    expect(await cache.get('k')).toBeUndefined()
    expect(await open().get('k')).toBeUndefined()
  })
})

describe('cleanup()', () => {
  it('removes entries invalidated by tags, in memory and on disk', async () => {
    const cache = open()
    await cache.set('a', 1, { tags: ['t'] })
    await cache.set('b', 2, { tags: ['u'] })
    await cache.set('c', 3)
    await cache.invalidateTags(['t'])
    expect(cache.memoryCache.size).toBe(3)
    await cache.cleanup()
    expect([...cache.memoryCache.keys()].sort()).toEqual(['b', 'c'])
    expect(
      readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort(),
    ).toEqual(['b.json', 'c.json'])
  })
})

describe('tags across processes', () => {
  it('through a bus: every cache drops its in-process copies, and counters local to a host move too', async () => {
    const hub = new LocalHub()
    const [dirA, dirB] = [makeTempDir(), makeTempDir()]
    const tiers = (d: string) => [new MemoryTier({ clock }), new FileTier({ dir: d, clock })]
    const a = open({ tiers: tiers(dirA), bus: hub.bus() })
    const b = open({ tiers: tiers(dirB), bus: hub.bus() })
    await a.set('k', 'a', { tags: ['t'] })
    await b.set('k', 'b', { tags: ['t'] })
    await b.set('other', 'b', { tags: ['u'] })
    expect(await b.get('k')).toBe('b')
    await a.invalidateTags(['t'])
    await delivered()
    expect([await a.get('k'), await b.get('k'), await b.get('other')]).toEqual([
      undefined,
      undefined,
      'b',
    ])
    // B's own folder has the change: a cache there without the bus sees it as well.
    expect(await open({ tiers: [new FileTier({ dir: dirB, clock })] }).get('k')).toBeUndefined()
  })

  it('a cache on the same folder without a bus sees the invalidation on its next read from the file', async () => {
    const a = open()
    const b = open({ tiers: [new FileTier({ dir, clock })] })
    await a.set('k', 1, { tags: ['t'] })
    expect(await b.get('k')).toBe(1)
    await a.invalidateTags(['t'])
    expect(await b.get('k')).toBeUndefined()
  })
})

describe('the tags bus message', () => {
  it('carries the tags and the counters after the change; counters that are not all well-formed are dropped', () => {
    const text = encodeBusMessage('me', { tags: ['video:abc'], versions: [3] })
    expect(JSON.parse(text)).toEqual({ v: 1, from: 'me', tags: ['video:abc'], versions: [3] })
    expect(decodeBusMessage(text)?.tags).toEqual({ tags: ['video:abc'], versions: [3] })
    const bad = JSON.stringify({ v: 1, from: 'x', tags: ['a', 'b'], versions: [1, -2] })
    expect(decodeBusMessage(bad)?.tags).toEqual({ tags: ['a', 'b'] })
  })
})

describe('a cache whose slower tier keeps no tag counters', () => {
  it('reads tagged entries written before a restart, and invalidates them in-process', async () => {
    const shared = new MapTier(clock)
    const before = open({ tiers: [new MemoryTier({ clock }), shared] })
    await before.set('k', 1, { tags: ['t'] })
    const after = open({ tiers: [new MemoryTier({ clock }), shared] }) // a restarted process
    expect(await after.get('k')).toBe(1)
    await after.invalidateTags(['t'])
    expect(await after.get('k')).toBeUndefined()
  })
})
