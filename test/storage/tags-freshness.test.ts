import { withCache } from '../../src/memoize/with-cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FakeClock } from '../../src/testing/fake-clock'
import { openCaches } from '../helpers/open-caches'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

let dir: string
let clock: FakeClock
const open = openCaches(() => ({ cacheDir: dir, clock }))

beforeEach(() => {
  dir = makeTempDir()
  clock = new FakeClock()
})

/** A function whose results are fresh for 10 s, then stale for 100 s, tagged with their video. */
function describeVideo(cache: ReturnType<typeof open>) {
  let runs = 0
  const fn = withCache(async (videoId: string) => `scene of ${videoId} #${++runs}`, {
    cache,
    namespace: 'vision',
    ttl: 10,
    staleWhileRevalidate: 100,
    tags: (videoId) => [`video:${videoId}`],
  })
  return { fn, runs: () => runs }
}

describe('tags with stale-while-revalidate', () => {
  it.each([
    ['memory only', () => open({ tiers: [new MemoryTier({ clock })] })],
    ['memory + file', () => open()],
  ])('never serve a stale value whose tag was invalidated (%s)', async (_name, make) => {
    const cache = make()
    const { fn, runs } = describeVideo(cache)
    expect(await fn('abc')).toBe('scene of abc #1')
    clock.advance(20_000) // stale, inside the window: it would be served at once
    await cache.invalidateTags(['video:abc'])
    expect(await fn('abc')).toBe('scene of abc #2')
    expect(runs()).toBe(2)
    expect(await cache.getEntry(fn.keyFor('abc'))).toMatchObject({ value: 'scene of abc #2' })
  })

  it('a tagged entry with a stale window round-trips through the file, and a tag invalidation in one cache reaches the folder', async () => {
    const first = open()
    const second = open()
    const one = describeVideo(first)
    const two = describeVideo(second)
    expect(await one.fn('abc')).toBe('scene of abc #1')
    clock.advance(20_000)
    // Read from the file (format 2, tagged): stale, inside its window.
    const info = await second.getEntry(two.fn.keyFor('abc'))
    expect(info).toMatchObject({ value: 'scene of abc #1', stale: true, tier: 'file' })
    await second.invalidateTags('video:abc')
    expect(await second.getEntry(two.fn.keyFor('abc'))).toBeUndefined()
    // A third cache (a process started now) finds the file entry invalidated by the folder's counter.
    const third = describeVideo(open())
    expect(await third.fn('abc')).toBe('scene of abc #1')
    expect(third.runs()).toBe(1)
  })
})
