import { Cache, FileTier, MemoryTier, StorageError, withCache, type Tier } from '../../src'
import { markRepeated } from '../../src/core/repeated-failure'
import { encodeBusMessage } from '../../src/storage/bus'
import { gate } from '../helpers/gate'
import { delivered, LocalHub } from '../helpers/local-bus'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

/** A tier seen by every cache of the fleet: a file tier on one folder, marked `shared`. */
function sharedTier(dir: string): Tier {
  return Object.defineProperty(new FileTier({ dir }), 'shared', { value: true })
}

/** Caches as a fleet's workers build them: memory → a local file tier → the shared tier, plus a bus. */
function fleet(count: number, hub = new LocalHub()) {
  const shared = makeTempDir()
  const caches = Array.from(
    { length: count },
    () =>
      new Cache({
        tiers: [new MemoryTier(), new FileTier({ dir: makeTempDir() }), sharedTier(shared)].map(
          (tier) => hub.track(tier),
        ),
        bus: hub.bus(),
        cleanupInterval: false,
      }),
  )
  return { hub, caches }
}

/** Which of `cache`'s tiers hold `key`. */
async function holders(cache: Cache, key: string): Promise<string[]> {
  const held = await Promise.all(cache.tiers.map((tier) => tier.get(key)))
  return held.flatMap((entry, i) => (entry ? [['memory', 'local file', 'shared'][i]!] : []))
}

let open: Cache[] = []
afterEach(async () => {
  await Promise.all(open.map((cache) => cache.close()))
  open = []
})
const track = <T extends { caches: Cache[] }>(made: T) => (open.push(...made.caches), made)

describe('Cache with an invalidation bus', () => {
  it('a delete in one cache drops the key from the memory and local file tiers of the others', async () => {
    const { caches, hub } = track(fleet(3))
    const [a, b, c] = caches as [Cache, Cache, Cache]
    await a.set('k', 1)
    await hub.delivered() // a's set reaches b first: a read overlapping that drop would copy nothing up
    await b.get('k') // copies it into b's memory and local file tier
    expect(await holders(b, 'k')).toEqual(['memory', 'local file', 'shared'])
    await a.delete('k')
    await hub.delivered()
    expect(await holders(b, 'k')).toEqual([])
    expect(await holders(c, 'k')).toEqual([])
    expect(await b.get('k')).toBeUndefined()
  })

  it('a remote set drops the local copy and reads nothing: the new value is read when asked for', async () => {
    const { caches, hub } = track(fleet(2))
    const [a, b] = caches as [Cache, Cache]
    await a.set('k', 'old')
    expect(await b.get('k')).toBe('old')
    const sharedReads = async () =>
      (await b.stats()).tiers[2]!.hits + (await b.stats()).tiers[2]!.misses
    const before = await sharedReads()
    await a.set('k', 'new')
    await hub.delivered()
    expect(b.memoryCache.has('k')).toBe(false)
    expect(await sharedReads()).toBe(before) // no eager read of the new value
    expect(await b.get('k')).toBe('new')
  })

  it('a cache skips its own messages: its set stays in its memory tier', async () => {
    const { caches, hub } = track(fleet(1))
    await caches[0]!.set('k', 1)
    await hub.delivered()
    expect(hub.sent).toHaveLength(1)
    expect(await holders(caches[0]!, 'k')).toEqual(['memory', 'local file', 'shared'])
  })

  it('clear by glob, by RegExp and of every key reaches the other caches, and only the keys matched', async () => {
    const { caches, hub } = track(fleet(2))
    const [a, b] = caches as [Cache, Cache]
    const fill = async () => {
      for (const key of ['video_1', 'video_2', 'audio_1']) await a.set(key, key)
      for (const key of ['video_1', 'video_2', 'audio_1']) await b.get(key)
      await hub.delivered()
    }
    await fill()
    await a.clear('video_*')
    await hub.delivered()
    expect([...b.memoryCache.keys()]).toEqual(['audio_1'])
    await fill()
    await a.clear(/_1$/)
    await hub.delivered()
    expect([...b.memoryCache.keys()]).toEqual(['video_2'])
    await fill()
    await a.clear()
    await hub.delivered()
    expect(b.memoryCache.size).toBe(0)
  })

  it("withCache's invalidate and refresh reach the other caches", async () => {
    const { caches, hub } = track(fleet(2))
    const [a, b] = caches as [Cache, Cache]
    let version = 0
    const onA = withCache(async (id: number) => `${id}:${++version}`, {
      cache: a,
      key: (id) => `f_${id}`,
    })
    const onB = withCache(async (id: number) => `${id}:${++version}`, {
      cache: b,
      key: (id) => `f_${id}`,
    })
    expect(await onA(1)).toBe('1:1')
    expect(await onB(1)).toBe('1:1') // served from the shared tier
    expect(await onA.refresh(1)).toBe('1:2')
    await hub.delivered()
    expect(await onB(1)).toBe('1:2')
    await onA.invalidate(1)
    await hub.delivered()
    expect(b.memoryCache.has('f_1')).toBe(false)
    expect(await onB(1)).toBe('1:3')
  })

  it("a change is published only once the shared tier's write has resolved", async () => {
    const hub = new LocalHub()
    const held = gate()
    const slow = sharedTier(makeTempDir())
    const set = slow.set.bind(slow)
    slow.set = async (entry) => {
      await held.promise
      return set(entry)
    }
    const cache = new Cache({
      tiers: [new MemoryTier(), slow],
      bus: hub.bus(),
      cleanupInterval: false,
    })
    open.push(cache)
    const setting = cache.set('k', 1)
    await delivered()
    expect(hub.sent).toEqual([])
    held.open()
    await setting
    expect(hub.sent).toHaveLength(1)
    expect(hub.sent[0]).not.toContain('"value"')
  })

  it('a computation under way when another process sets its key does not store its older result', async () => {
    const { caches, hub } = track(fleet(2))
    const [a, b] = caches as [Cache, Cache]
    const computing = gate<string>()
    let started!: () => void
    const computeStarted = new Promise<void>((resolve) => (started = resolve))
    const loading = b.getOrSet('k', () => (started(), computing.promise))
    // Under way for real: the fleet lease's second look comes before compute, and would find 'newer'.
    await computeStarted
    await a.set('k', 'newer')
    await hub.delivered()
    computing.open('older')
    expect(await loading).toBe('older') // the caller still gets its result
    expect(b.memoryCache.has('k')).toBe(false)
    expect(await b.get('k')).toBe('newer')
  })

  it('after the subscription was lost and is back, the memory tier is dropped and the local file tier kept', async () => {
    const { caches, hub } = track(fleet(1))
    const [a] = caches as [Cache]
    await a.set('k', 1)
    hub.reconnectAll()
    await hub.delivered()
    expect(await holders(a, 'k')).toEqual(['local file', 'shared'])
  })

  it("another program's text on the channel is ignored; a pattern this process cannot compile drops every local key", async () => {
    const { caches, hub } = track(fleet(1))
    const [a] = caches as [Cache]
    await a.set('k', 1)
    for (const junk of ['hello', '{"v":2}', 'null', '[1]', '{"v":1}']) hub.inject(junk)
    await hub.delivered()
    expect(a.memoryCache.has('k')).toBe(true)
    hub.inject(JSON.stringify({ v: 1, from: 'other', re: ['(', ''] }))
    await hub.delivered()
    expect(await holders(a, 'k')).toEqual(['shared'])
  })

  it('messages carry keys or a pattern and the sender, never a value', () => {
    expect(JSON.parse(encodeBusMessage('me', { key: 'k' }))).toEqual({ v: 1, from: 'me', key: 'k' })
    expect(JSON.parse(encodeBusMessage('me', { pattern: 'a*' }))).toEqual({
      v: 1,
      from: 'me',
      glob: 'a*',
    })
    expect(JSON.parse(encodeBusMessage('me', { pattern: /x/i }))).toEqual({
      v: 1,
      from: 'me',
      re: ['x', 'i'],
    })
    expect(JSON.parse(encodeBusMessage('me', { pattern: undefined }))).toEqual({
      v: 1,
      from: 'me',
      all: true,
    })
  })

  it('a bus that is not a CacheBus is a TypeError', () => {
    expect(() => new Cache({ bus: {} as never, tiers: [new MemoryTier()] })).toThrow(TypeError)
  })
})

describe('an outage reaches onError once', () => {
  it('failures a tier marks as repeats of an outage are counted in stats but not handed to onError', async () => {
    let calls = 0
    const down: Tier = {
      name: 'remote',
      get: async () => {
        const error = new StorageError('down', { tier: 'remote' })
        throw calls++ === 0 ? error : markRepeated(error)
      },
      set: async () => {
        throw markRepeated(new StorageError('down', { tier: 'remote' }))
      },
      delete: async () => false,
      clear: async () => 0,
      prune: async () => 0,
      stats: async () => ({ entries: 0, bytes: 0, evictions: 0 }),
      close: async () => {},
    }
    const errors: StorageError[] = []
    const cache = new Cache({
      tiers: [new MemoryTier(), down],
      onError: (e) => errors.push(e),
      cleanupInterval: false,
    })
    open.push(cache)
    for (let i = 0; i < 5; i++) expect(await cache.getOrSet(`k${i}`, () => i)).toBe(i)
    const perCall: StorageError[] = []
    expect(await cache.getOrSet('x', () => 'x', { onError: (e) => perCall.push(e) })).toBe('x')
    expect(errors).toHaveLength(1)
    expect(perCall).toHaveLength(0)
    expect((await cache.stats()).errors).toBeGreaterThanOrEqual(10)
  })
})
