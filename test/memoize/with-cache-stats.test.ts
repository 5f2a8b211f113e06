import { Cache, CacheConfig, Cached, FileTier, MemoryTier, withCache } from '../../src'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

let open: Cache[] = []
afterEach(async () => {
  await Promise.all(open.map((cache) => cache.close()))
  open = []
})
const twoTiers = (dir = makeTempDir()) => {
  const cache = new Cache({
    tiers: [new MemoryTier(), new FileTier({ dir })],
    cleanupInterval: false,
  })
  open.push(cache)
  return cache
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const memoryOnly = () => {
  const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
  open.push(cache)
  return cache
}
/** The two load paths: a memory-only cache's (stored by a reaction) and a stacked one's (awaited). */
const cacheKinds: [string, () => Cache][] = [
  ['memory only', memoryOnly],
  ['memory + file', () => twoTiers()],
]

async function describeScene(id: number) {
  return { id, scene: `scene ${id}` }
}

describe('fn.stats()', () => {
  it('counts calls, hits by tier, misses and computations', async () => {
    const dir = makeTempDir()
    const first = withCache(describeScene, { cache: twoTiers(dir), namespace: 'video', version: 2 })
    await first(1) // miss
    await first(1) // memory hit (by argument)
    await first(2) // miss
    await first(2) // memory hit
    await first(2) // memory hit
    expect(first.stats()).toMatchObject({
      id: 'video:describeScene:v2',
      calls: 5,
      hits: { memory: 3, file: 0 },
      misses: 2,
      computations: 2,
      joins: { inProcess: 0, fleet: 0 },
      errors: 0,
    })
    // A restart: the results are on disk only.
    const second = withCache(describeScene, {
      cache: twoTiers(dir),
      namespace: 'video',
      version: 2,
    })
    await second(1)
    await second(1)
    expect(second.stats()).toMatchObject({
      calls: 2,
      hits: { memory: 1, file: 1 },
      misses: 0,
      computations: 0,
    }) // Looking without calling is no call: fn.peek counts nowhere, in any tier.
    const third = withCache(describeScene, { cache: twoTiers(dir), namespace: 'video', version: 2 })
    expect(await third.peek(2)).toEqual({ id: 2, scene: 'scene 2' })
    expect(await third.peek(2)).toEqual({ id: 2, scene: 'scene 2' })
    expect(third.stats()).toMatchObject({ calls: 0, hits: { memory: 0, file: 0 } })
  })

  it('counts concurrent calls for one key as one computation and the others as in-process joins', async () => {
    const analyze = withCache(
      async function analyze(id: number) {
        await sleep(5)
        return id
      },
      { cache: twoTiers() },
    )
    await Promise.all(Array.from({ length: 10 }, () => analyze(7)))
    expect(analyze.stats()).toMatchObject({
      calls: 10,
      misses: 1,
      computations: 1,
      joins: { inProcess: 9, fleet: 0 },
    })
  })

  it('counts a failed run as an error, and leaves it out of the compute time', async () => {
    let fail = true
    const flaky = withCache(
      async function flaky() {
        await sleep(1)
        if (fail) throw new Error('model crashed')
        return 'ok'
      },
      { cache: twoTiers() },
    )
    await expect(flaky()).rejects.toThrow('model crashed')
    expect(flaky.stats()).toMatchObject({
      misses: 1,
      computations: 1,
      errors: 1,
      computeMs: { total: 0, mean: 0, max: 0 },
    })
    fail = false
    await flaky()
    expect(flaky.stats()).toMatchObject({ misses: 2, computations: 2, errors: 1 })
    expect(flaky.stats().computeMs.total).toBeGreaterThan(0)
  })

  it.each(cacheKinds)('counts a synchronous throw as an error (%s)', async (_kind, make) => {
    const broken = withCache(
      function broken(): number {
        throw new Error('bad input')
      },
      { cache: make() },
    )
    await expect(broken()).rejects.toThrow('bad input')
    expect(broken.stats()).toMatchObject({ computations: 1, errors: 1 })
  })

  it.each(cacheKinds)(
    'reports compute time (total, mean, max) and time saved as hits × mean (%s)',
    async (_kind, make) => {
      const cache = make()
      const slow = withCache(
        async function slow(n: number) {
          await sleep(40)
          return n
        },
        { cache },
      )
      const fast = withCache(
        async function fast(n: number) {
          return n
        },
        { cache },
      )
      for (const n of [1, 2, 3]) {
        await slow(n)
        await fast(n)
      }
      for (let i = 0; i < 4; i++) {
        await slow(1)
        await fast(1)
      }
      const [s, f] = [slow.stats(), fast.stats()]
      expect(s.computeMs.mean).toBeCloseTo(s.computeMs.total / 3, 9)
      expect(s.computeMs.max).toBeGreaterThanOrEqual(s.computeMs.mean)
      expect(s.computeMs.mean).toBeGreaterThan(10 * f.computeMs.mean) // 40 ms of sleep against none
      expect(s.timeSavedMs).toBeCloseTo(4 * s.computeMs.mean, 9)
      expect(f.timeSavedMs).toBeCloseTo(4 * f.computeMs.mean, 9)
    },
  )

  it('counts refresh() as a computation, not as a call or a miss', async () => {
    const scene = withCache(describeScene, { cache: twoTiers(), namespace: 'video' })
    await scene(1)
    await scene.refresh(1)
    await scene(1)
    expect(scene.stats()).toMatchObject({ calls: 2, misses: 1, computations: 2 })
    expect(scene.stats().hits.memory).toBe(1)
  })

  it('counts calls of functions with a key function, and of object arguments', async () => {
    const byKey = withCache(describeScene, {
      cache: twoTiers(),
      key: (id) => `scene_${id}`,
      namespace: 'video',
    })
    await byKey(1)
    await byKey(1)
    const byQuery = withCache(
      async function query(q: { id: number; fps: number }) {
        return q.id
      },
      { cache: byKey.cache },
    )
    await byQuery({ id: 1, fps: 30 })
    await byQuery({ fps: 30, id: 1 })
    expect(byKey.stats()).toMatchObject({ id: 'video:describeScene:v1', calls: 2, misses: 1 })
    expect(byQuery.stats()).toMatchObject({ id: 'query:v1', calls: 2, misses: 1 })
    expect(byQuery.stats().hits.memory).toBe(1)
  })

  it('is shared by every wrapper of one function on one cache, and kept apart on another cache', async () => {
    const cache = twoTiers()
    const a = withCache(describeScene, { cache })
    const b = withCache(describeScene, { cache })
    const elsewhere = withCache(describeScene, { cache: twoTiers() })
    await a(1)
    await b(1)
    await elsewhere(1)
    expect(a.stats()).toEqual(b.stats())
    expect(a.stats()).toMatchObject({ calls: 2, misses: 1 })
    expect(elsewhere.stats()).toMatchObject({ calls: 1, misses: 1 })
  })
})

describe('cache.stats().functions', () => {
  it('lists every cached function of the cache by namespace:name:v<version>, decorated methods included', async () => {
    const cache = twoTiers()
    @CacheConfig({ namespace: 'video', version: 3, cache })
    class Describer {
      @Cached()
      async caption(id: number) {
        return `caption ${id}`
      }
    }
    const scene = withCache(describeScene, { cache, namespace: 'video' })
    const describer = new Describer()
    await describer.caption(1)
    await describer.caption(1)
    await scene(1)
    const { functions } = await cache.stats()
    expect(Object.keys(functions).sort()).toEqual([
      'video:Describer.caption:v3',
      'video:describeScene:v1',
    ])
    expect(functions['video:Describer.caption:v3']).toMatchObject({
      calls: 2,
      hits: { memory: 1, file: 0 },
      misses: 1,
    })
    expect(functions['video:describeScene:v1']).toEqual(scene.stats())
  })
})
