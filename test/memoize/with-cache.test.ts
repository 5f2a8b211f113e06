import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Cache,
  CacheError,
  FileTier,
  MemoryTier,
  StorageError,
  withCache,
  type Tier,
} from '../../src'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiercache-memo-'))
  dirs.push(dir)
  return dir
}
const caches: Cache[] = []
const newCache = (options: ConstructorParameters<typeof Cache>[0] = {}) => {
  const cache = new Cache({ cacheDir: tempDir(), cleanupInterval: false, ...options })
  caches.push(cache)
  return cache
}
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A function that counts its calls and answers after `ms`. */
function counted<A extends unknown[], R>(body: (...args: A) => R, ms = 0) {
  const calls: A[] = []
  const fn = async (...args: A): Promise<R> => {
    calls.push(args)
    if (ms) await new Promise((r) => setTimeout(r, ms))
    return body(...args)
  }
  return { fn, calls }
}

describe('withCache', () => {
  it('calls the function once per distinct arguments and serves repeats from the cache', async () => {
    const cache = newCache()
    const { fn, calls } = counted((videoId: string) => ({ videoId, title: `Video ${videoId}` }))
    const getVideoMetadata = withCache(fn, { cache, namespace: 'video', version: 2 })
    expect(await getVideoMetadata('abc')).toEqual({ videoId: 'abc', title: 'Video abc' })
    expect(await getVideoMetadata('abc')).toEqual({ videoId: 'abc', title: 'Video abc' })
    expect(await getVideoMetadata('def')).toEqual({ videoId: 'def', title: 'Video def' })
    expect(calls).toEqual([['abc'], ['def']])
  })

  it('builds readable, versioned keys and exposes them with keyFor', () => {
    const cache = newCache()
    async function getVideoMetadata(_videoId: string) {
      return 1
    }
    const cached = withCache(getVideoMetadata, { cache, namespace: 'video', version: 2 })
    expect(cached.keyFor('abc')).toBe('video:getVideoMetadata:v2:abc')
    expect(withCache(getVideoMetadata, { cache }).keyFor('abc')).toBe('getVideoMetadata:v1:abc')
  })

  it('serves a result stored by one process to a new Cache over the same folder (restart)', async () => {
    const dir = tempDir()
    const first = counted((id: string) => ({ id, at: new Date(7), bytes: Buffer.from('xyz') }))
    await withCache(first.fn, { cache: newCache({ cacheDir: dir }), key: 'meta' })('a')
    const second = counted((id: string) => ({ id, at: new Date(0), bytes: Buffer.from('') }))
    const result = await withCache(second.fn, { cache: newCache({ cacheDir: dir }), key: 'meta' })(
      'a',
    )
    expect(second.calls).toHaveLength(0)
    expect(result.at).toBeInstanceOf(Date)
    expect(result.at.getTime()).toBe(7)
    expect(Buffer.isBuffer(result.bytes) && result.bytes.toString()).toBe('xyz')
  })

  it('a version bump moves every key, so old results are never read', async () => {
    const dir = tempDir()
    const v1 = counted((id: string) => ({ schema: 1, id }))
    await withCache(v1.fn, { cache: newCache({ cacheDir: dir }), key: 'analysis', version: 1 })('x')
    const v2 = counted((id: string) => ({ schema: 2, id }))
    const cachedV2 = withCache(v2.fn, {
      cache: newCache({ cacheDir: dir }),
      key: 'analysis',
      version: 2,
    })
    expect(await cachedV2('x')).toEqual({ schema: 2, id: 'x' })
    expect(v2.calls).toHaveLength(1)
  })

  it('accepts a key function in the guide’s style, and appends the version to it', async () => {
    const cache = newCache()
    const { fn, calls } = counted((videoId: string, segmentId: string) => `${videoId}/${segmentId}`)
    const process = withCache(fn, {
      cache,
      key: (videoId, segmentId) => `video_${videoId}_segment_${segmentId}`,
    })
    expect(process.keyFor('abc', '4')).toBe('video_abc_segment_4')
    expect(
      withCache(fn, { cache, version: 3, key: (v, s) => `video_${v}_segment_${s}` }).keyFor(
        'abc',
        '4',
      ),
    ).toBe('video_abc_segment_4:v3')
    await process('abc', '4')
    expect(await cache.get('video_abc_segment_4')).toBe('abc/4')
    await process('abc', '4')
    expect(calls).toHaveLength(1)
  })

  it('runs the function once for 200 concurrent calls with one key, and gives every caller the result', async () => {
    const cache = newCache()
    const { fn, calls } = counted((id: string) => ({ id, n: Math.random() }), 20)
    const cached = withCache(fn, { cache, key: 'slow' })
    const results = await Promise.all(Array.from({ length: 200 }, () => cached('same')))
    expect(calls).toHaveLength(1)
    expect(new Set(results.map((r) => r.n)).size).toBe(1)
  })

  it('passes a rejection to every concurrent caller unchanged, and does not cache it', async () => {
    const cache = newCache()
    const failure = new Error('GPU out of memory')
    let attempts = 0
    const cached = withCache(
      async (id: string) => {
        attempts++
        await new Promise((r) => setTimeout(r, 10))
        if (attempts === 1) throw failure
        return `ok ${id}`
      },
      { cache, key: 'flaky' },
    )
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => cached('v')))
    expect(settled.every((s) => s.status === 'rejected' && s.reason === failure)).toBe(true)
    expect(attempts).toBe(1)
    expect(await cached('v')).toBe('ok v')
    expect(attempts).toBe(2)
  })

  it('takes the TTL from a function of the result and arguments', async () => {
    let now = 1_700_000_000_000
    const clock = { now: () => now }
    const cache = newCache({ tiers: [new MemoryTier({ clock })], clock })
    const { fn, calls } = counted((videoId: string) => ({
      videoId,
      status: videoId === 'live' ? 'processing' : 'done',
    }))
    const cached = withCache(fn, {
      cache,
      key: 'status',
      ttl: (result, [videoId]) =>
        result.status === 'processing' && videoId === 'live' ? 60 : '7d',
    })
    await cached('live')
    await cached('old')
    now += 61_000
    await cached('live')
    await cached('old')
    expect(calls).toEqual([['live'], ['old'], ['live']])
  })

  it('does not store results that shouldCache rejects, or a TTL function returns 0 for', async () => {
    const cache = newCache()
    const { fn, calls } = counted((n: number) => ({ n, items: n % 2 ? [] : [n] }))
    const cached = withCache(fn, {
      cache,
      key: 'list',
      shouldCache: (r) => r.items.length > 0,
      ttl: (r) => (r.n === 4 ? 0 : 60),
    })
    for (const n of [1, 1, 2, 2, 4, 4]) await cached(n)
    expect(calls).toEqual([[1], [1], [2], [4], [4]])
  })

  it('invalidate removes the entry from every tier; peek reads without computing; refresh recomputes', async () => {
    const cache = newCache()
    let version = 0
    const cached = withCache(async (id: string) => `${id}@${++version}`, { cache, key: 'doc' })
    expect(await cached.peek('a')).toBeUndefined()
    expect(await cached('a')).toBe('a@1')
    expect(await cached.peek('a')).toBe('a@1')
    expect(await cached.refresh('a')).toBe('a@2')
    expect(await cached('a')).toBe('a@2')
    expect(await cached.invalidate('a')).toBe(true)
    expect(cache.memoryCache.has(cached.keyFor('a'))).toBe(false)
    expect(await cache.stats()).toMatchObject({ fileEntries: 0 })
    expect(await cached('a')).toBe('a@3')
  })

  it('guide-style clear patterns match the keys withCache builds', async () => {
    const cache = newCache()
    const analysis = withCache(async (id: string) => `analysis of ${id}`, {
      cache,
      key: (id) => `video_${id}_analysis`,
    })
    const transcript = withCache(async (id: string) => `transcript of ${id}`, {
      cache,
      key: (id) => `video_${id}_transcript`,
    })
    await Promise.all([analysis('123'), transcript('123'), analysis('456')])
    expect(await cache.clear('video_123_*')).toBe(2)
    expect(await analysis.peek('123')).toBeUndefined()
    expect(await analysis.peek('456')).toBe('analysis of 456')
  })

  it('still returns the computed result when the cache directory is unusable, and reports once', async () => {
    const notADir = join(tempDir(), 'file')
    writeFileSync(notADir, 'I am a file, not a folder')
    const errors: StorageError[] = []
    const cache = newCache({ cacheDir: notADir })
    const { fn, calls } = counted((id: string) => `fresh ${id}`)
    const cached = withCache(fn, { cache, key: 'x', onError: (e) => errors.push(e) })
    expect(await cached('a')).toBe('fresh a')
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(errors[0]!.code).toBe('E_STORAGE')
    expect(errors[0]!.tier).toBe('file')
    expect(calls).toHaveLength(1)
  })

  it('warns once through console.warn by default, not once per call', async () => {
    const failing: Tier = {
      name: 'broken',
      needsEncoded: true,
      get: async () => {
        throw new Error('disk on fire')
      },
      set: async () => {
        throw new Error('disk on fire')
      },
      delete: async () => false,
      clear: async () => 0,
      prune: async () => 0,
      stats: async () => ({ entries: 0, bytes: 0, evictions: 0 }),
      close: async () => {},
    }
    const cache = newCache({ tiers: [new MemoryTier(), failing] })
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const cached = withCache(async (n: number) => n * 2, { cache, key: 'double' })
      for (let n = 0; n < 5; n++) expect(await cached(n)).toBe(n * 2)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]![0])).toContain('disk on fire')
    } finally {
      warn.mockRestore()
    }
  })

  it('never swallows errors of the function or turns them into undefined', async () => {
    const cache = newCache()
    const cached = withCache(
      async () => {
        throw new TypeError('bad input')
      },
      { cache, key: 'throws' },
    )
    await expect(cached()).rejects.toThrow(TypeError)
  })

  it('refuses an anonymous function without key or namespace at wrap time', () => {
    const cache = newCache()
    const anonymous = [async () => 1][0]! // an arrow in an array literal gets no name
    expect(anonymous.name).toBe('')
    expect(() => withCache(anonymous, { cache })).toThrow(CacheError)
    expect(withCache(anonymous, { cache, namespace: 'ns' }).keyFor()).toBe("ns:':v1") // an anonymous function's name is the empty string, `'`
    expect(withCache(anonymous, { cache, key: 'named' }).keyFor()).toBe('named:v1')
  })

  it('keeps the parameter and result types of the wrapped function', async () => {
    const cache = newCache({ tiers: [new MemoryTier()] })
    const cached = withCache(async (a: string, b: number) => ({ a, b }), { cache, key: 'typed' })
    const result: { a: string; b: number } = await cached('x', 1)
    expect(result).toEqual({ a: 'x', b: 1 })
    // @ts-expect-error: the second argument must be a number
    void cached.keyFor('x', 'y')
  })

  it('works over a file-only cache (no memory tier)', async () => {
    const cache = newCache({ tiers: [new FileTier({ dir: tempDir() })] })
    const { fn, calls } = counted((id: string) => ({ id }))
    const cached = withCache(fn, { cache, key: 'file-only' })
    await cached('a')
    expect(await cached('a')).toEqual({ id: 'a' })
    expect(calls).toHaveLength(1)
  })

  it('rejects (not throws) when a key cannot be built from an argument', async () => {
    const cache = newCache()
    const cached = withCache(async (_f: unknown) => 1, { cache, key: 'fnarg' })
    await expect(cached(() => 1)).rejects.toBeInstanceOf(CacheError)
  })
})

describe('withCache repeated calls (found by argument, checked against the memory tier)', () => {
  async function setup(options: { maxEntries?: number; withFile?: boolean } = {}) {
    let now = 1_700_000_000_000
    const clock = { now: () => now, advance: (ms: number) => (now += ms) }
    const tiers: Tier[] = [new MemoryTier({ clock, maxEntries: options.maxEntries ?? 100 })]
    if (options.withFile) tiers.push(new FileTier({ dir: tempDir(), clock }))
    const cache = newCache({ tiers, clock })
    let run = 0
    const { fn, calls } = counted(
      (id: unknown, n?: unknown) => `${String(id)}/${String(n)}#${++run}`,
    )
    const cached = withCache(fn, { cache, key: 'lookup', ttl: 60 })
    return { cache, cached, calls, clock }
  }

  it('never serves an entry that was deleted, cleared or overwritten', async () => {
    const { cache, cached } = await setup()
    expect(await cached('a', 1)).toBe('a/1#1')
    expect(await cached('a', 1)).toBe('a/1#1')
    await cache.delete(cached.keyFor('a', 1))
    expect(await cached('a', 1)).toBe('a/1#2')
    await cache.clear('lookup:*')
    expect(await cached('a', 1)).toBe('a/1#3')
    await cache.set(cached.keyFor('a', 1), 'written directly')
    expect(await cached('a', 1)).toBe('written directly')
    await cached.invalidate('a', 1)
    expect(await cached('a', 1)).toBe('a/1#4')
  })

  it('never serves an expired entry', async () => {
    const { cached, clock } = await setup()
    await cached('x')
    expect(await cached('x')).toBe('x/undefined#1')
    clock.advance(61_000)
    expect(await cached('x')).toBe('x/undefined#2')
  })

  it('serves the right value after the memory tier evicted the entry (from the file tier)', async () => {
    const { cached, calls, cache } = await setup({ maxEntries: 2, withFile: true })
    for (const id of ['a', 'b', 'c', 'a', 'b', 'c']) await cached(id, 0)
    expect(await cached('a', 0)).toBe('a/0#1')
    expect(calls).toHaveLength(3)
    expect((await cache.stats()).hits.file).toBeGreaterThan(0)
  })

  it('keeps arguments of different types and counts apart', async () => {
    const { cached } = await setup()
    const results = []
    for (const args of [
      [1],
      ['1'],
      [0],
      [-0],
      [true],
      ['true'],
      [null],
      [undefined],
      [],
      [1, undefined],
      [10n],
    ] as unknown[][]) {
      results.push(await (cached as (...a: unknown[]) => Promise<string>)(...args))
      expect(await (cached as (...a: unknown[]) => Promise<string>)(...args)).toBe(results.at(-1))
    }
    expect(new Set(results).size).toBe(results.length) // 0 and -0 too: default keys compare by Object.is
  })

  it('counts repeated hits in the stats', async () => {
    const { cache, cached } = await setup()
    await cached('s')
    for (let i = 0; i < 10; i++) await cached('s')
    expect((await cache.stats()).hits.memory).toBe(10)
  })

  it('does not keep evicted values alive', async () => {
    const { cached, cache } = await setup({ maxEntries: 1 })
    await cached('big')
    await cached('big') // remembered by argument
    await cached('other') // evicts 'big' from memory
    expect(cache.memoryCache.has(cached.keyFor('big'))).toBe(false)
    const record = cache.peek(cached.keyFor('other'))!
    expect(cache.isCurrent(record)).toBe(true)
    await cache.delete(record.key)
    expect(cache.isCurrent(record)).toBe(false)
    expect(record.value).toBeUndefined() // the memory tier let go of the value itself
  })
})
