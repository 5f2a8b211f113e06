import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Cache,
  Cached,
  CacheConfig,
  getDefaultCache,
  InvalidatesCache,
  MemoryTier,
  setDefaultCache,
  type StorageError,
} from '../../src'
import { FailingTier } from '../helpers/failing-tier'

const T0 = 1_700_000_000_000

/**
 * The decorator suite. It is imported by cached.test.ts (standard TC39 decorators) and by
 * cached.legacy.test.ts (experimentalDecorators); each Jest project compiles this file with its own
 * tsconfig, so the same classes below are decorated once in each flavour.
 */
export function describeCachedDecorators(expectedFlavour: 'standard' | 'legacy'): void {
  let dir: string
  let cache: Cache
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tiercache-decorators-'))
    cache = new Cache({ cacheDir: dir, cleanupInterval: false })
  })
  afterEach(async () => {
    await cache.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it(`is compiled with ${expectedFlavour} decorators`, () => {
    let flavour = 'none'
    const probe = (...params: unknown[]): void => {
      flavour = params.length === 2 && typeof params[1] === 'object' ? 'standard' : 'legacy'
    }
    class Probe {
      @probe
      method() {}
    }
    void Probe
    expect(flavour).toBe(expectedFlavour)
  })

  function makeVideoService(target: Cache) {
    const gpuCalls: string[] = []
    const updates: string[] = []

    @CacheConfig({ namespace: 'video', version: 2, cache: target })
    class VideoService {
      constructor(readonly model: string) {}

      @Cached({
        ttl: 3600,
        key: (videoId: string, segmentId: string) => `video_${videoId}_segment_${segmentId}`,
      })
      async processVideoSegment(videoId: string, segmentId: string) {
        gpuCalls.push(`${this.model}:${videoId}:${segmentId}`)
        return { videoId, segmentId, model: this.model, frames: [1, 2, 3] }
      }

      @Cached()
      async getVideoMetadata(videoId: string) {
        gpuCalls.push(`meta:${videoId}`)
        return { videoId, title: `Video ${videoId}` }
      }

      @Cached({
        key(this: VideoService, videoId: string) {
          return `summary_${this.model}_${videoId}`
        },
      })
      async summarize(videoId: string) {
        gpuCalls.push(`summary:${this.model}:${videoId}`)
        return `${this.model} summary of ${videoId}`
      }

      @InvalidatesCache((videoId: string) => [`video_${videoId}_*`])
      async updateVideo(videoId: string, patch: { title: string }) {
        updates.push(`${videoId}:${patch.title}`)
        if (patch.title === '') throw new Error('empty title')
        return { videoId, ...patch }
      }
    }
    return { VideoService, gpuCalls, updates }
  }

  it('caches a method; `this` is the instance', async () => {
    const { VideoService, gpuCalls } = makeVideoService(cache)
    const service = new VideoService('clip-v1')
    const first = await service.processVideoSegment('abc', '4')
    expect(first).toEqual({ videoId: 'abc', segmentId: '4', model: 'clip-v1', frames: [1, 2, 3] })
    expect(await service.processVideoSegment('abc', '4')).toEqual(first)
    expect(gpuCalls).toEqual(['clip-v1:abc:4'])
  })

  it('uses the key function, versioned by the class config', async () => {
    const { VideoService } = makeVideoService(cache)
    await new VideoService('m').processVideoSegment('abc', '4')
    expect(await cache.get('video_abc_segment_4:v2')).toMatchObject({ videoId: 'abc' })
  })

  it('builds default keys from namespace, Class.method and version', async () => {
    const { VideoService } = makeVideoService(cache)
    await new VideoService('m').getVideoMetadata('abc')
    expect([...cache.memoryCache.keys()]).toContain('video:VideoService.getVideoMetadata:v2:abc')
  })

  it('shares entries between instances when keys are equal', async () => {
    const { VideoService, gpuCalls } = makeVideoService(cache)
    await new VideoService('a').getVideoMetadata('x')
    await new VideoService('b').getVideoMetadata('x')
    expect(gpuCalls).toEqual(['meta:x'])
  })

  it('keeps instances apart when the key function uses `this`', async () => {
    const { VideoService, gpuCalls } = makeVideoService(cache)
    expect(await new VideoService('a').summarize('x')).toBe('a summary of x')
    expect(await new VideoService('b').summarize('x')).toBe('b summary of x')
    expect(await new VideoService('a').summarize('x')).toBe('a summary of x')
    expect(gpuCalls).toEqual(['summary:a:x', 'summary:b:x'])
  })

  it('runs a decorated method once for concurrent calls', async () => {
    const { VideoService, gpuCalls } = makeVideoService(cache)
    const service = new VideoService('m')
    await Promise.all(Array.from({ length: 50 }, () => service.processVideoSegment('v', '1')))
    expect(gpuCalls).toHaveLength(1)
  })

  it('@InvalidatesCache clears the patterns after a successful call, and nothing after a failed one', async () => {
    const { VideoService, gpuCalls } = makeVideoService(cache)
    const service = new VideoService('m')
    await service.processVideoSegment('abc', '1')
    await service.processVideoSegment('abc', '2')
    await service.processVideoSegment('xyz', '1')
    await expect(service.updateVideo('abc', { title: '' })).rejects.toThrow('empty title')
    expect(await cache.has('video_abc_segment_1:v2')).toBe(true)
    expect(await service.updateVideo('abc', { title: 'New' })).toEqual({
      videoId: 'abc',
      title: 'New',
    })
    expect(await cache.has('video_abc_segment_1:v2')).toBe(false)
    expect(await cache.has('video_abc_segment_2:v2')).toBe(false)
    expect(await cache.has('video_xyz_segment_1:v2')).toBe(true)
    await service.processVideoSegment('abc', '1')
    expect(gpuCalls.filter((c) => c.endsWith('abc:1'))).toHaveLength(2)
  })

  it('keys by the declaring class for subclass instances, and works on static methods', async () => {
    const calls: string[] = []
    class Base {
      @Cached({ cache })
      async load(id: string) {
        calls.push(id)
        return id.toUpperCase()
      }

      @Cached({ cache })
      static async lookup(id: string) {
        calls.push(`static:${id}`)
        return id.length
      }
    }
    class Derived extends Base {}
    expect(await new Derived().load('a')).toBe('A')
    expect(await new Base().load('a')).toBe('A')
    expect(await Base.lookup('abc')).toBe(3)
    expect(await Base.lookup('abc')).toBe(3)
    expect(calls).toEqual(['a', 'static:abc'])
    expect([...cache.memoryCache.keys()].sort()).toEqual([
      'Base.load:v1:a',
      'Base.static.lookup:v1:abc',
    ])
  })

  it('cached methods of a subclass inherit the @CacheConfig of the class it extends', async () => {
    @CacheConfig({ namespace: 'base', cache })
    class Configured {}
    class Extending extends Configured {
      @Cached()
      async load(id: string) {
        return id.length
      }
    }
    expect(await new Extending().load('abc')).toBe(3)
    expect([...cache.memoryCache.keys()]).toEqual(['base:Extending.load:v1:abc'])
  })

  it('@InvalidatesCache hands a failing clear to the cache’s onError and still returns the result', async () => {
    const errors: StorageError[] = []
    const broken = new Cache({
      tiers: [new MemoryTier(), new FailingTier('disk')],
      onError: (e) => errors.push(e),
      cleanupInterval: false,
    })
    class Editor {
      @InvalidatesCache((id: string) => [`doc_${id}_*`], { cache: broken })
      async save(id: string) {
        return `saved ${id}`
      }
    }
    expect(await new Editor().save('7')).toBe('saved 7')
    expect(errors.map((e) => [e.code, e.tier])).toEqual([['E_STORAGE', 'disk']])
    await broken.close() // a tier that fails to close is reported, not thrown
    expect(errors).toHaveLength(2)
  })

  it('refuses to decorate something that is not a method', () => {
    const decorate = Cached() as unknown as (...args: unknown[]) => unknown
    expect(() => decorate(undefined, { kind: 'field', name: 'x' })).toThrow(TypeError)
    expect(() => decorate({}, 'x', { value: 42 })).toThrow(TypeError)
  })

  /** The process warnings emitted while `body` runs (spied: Jest's sandboxed `process` gets no 'warning' event). */
  function warningsDuring(body: () => void): string[] {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      body()
      return emit.mock.calls.map(([warning]) => String(warning))
    } finally {
      emit.mockRestore()
    }
  }

  /** What calling `f` gave: a promise (observed later), or a synchronous throw. */
  function callKind(f: () => unknown): 'promise' | 'sync throw' | 'value' {
    try {
      const result = f()
      if (!(result instanceof Promise)) return 'value'
      result.catch(() => {})
      return 'promise'
    } catch {
      return 'sync throw'
    }
  }

  it('a bad @Cached option is reported when the class is defined; every call rejects, never throws, never runs the method', async () => {
    let runs = 0
    let Bad!: new () => { load(id: string): Promise<string> }
    const warnings = warningsDuring(() => {
      class Defined {
        @Cached({ cache, ttl: 'banana' })
        async load(id: string) {
          runs++
          return id
        }
      }
      Bad = Defined
    })
    expect(warnings).toEqual([expect.stringMatching(/@Cached on (Defined\.)?load: ttl option/)])
    const bad = new Bad()
    expect(callKind(() => bad.load('a'))).toBe('promise')
    await expect(bad.load('a')).rejects.toThrow(/ttl option/)
    await expect(bad.load('a')).rejects.toThrow(TypeError)
    expect(runs).toBe(0)
  })

  it('a bad @CacheConfig option is reported when the class is defined, and its cached methods reject', async () => {
    let Bad!: new () => { load(id: string): Promise<string> }
    const warnings = warningsDuring(() => {
      @CacheConfig({ cache, namespace: '' })
      class Configured {
        @Cached()
        async load(id: string) {
          return id
        }
      }
      Bad = Configured
    })
    expect(warnings).toEqual([expect.stringMatching(/@CacheConfig.*namespace/)])
    expect(callKind(() => new Bad().load('a'))).toBe('promise')
    await expect(new Bad().load('a')).rejects.toThrow(/namespace option/)
  })

  it('a @Cached option overriding a bad @CacheConfig one wins: the method works', async () => {
    let Fixed!: new () => { load(id: string): Promise<string> }
    const warnings = warningsDuring(() => {
      @CacheConfig({ cache, ttl: -1 })
      class Defined {
        @Cached({ ttl: 60 })
        async load(id: string) {
          return id
        }
      }
      Fixed = Defined
    })
    expect(warnings).toEqual([expect.stringMatching(/unless their own options override it/)])
    await expect(new Fixed().load('a')).resolves.toBe('a')
  })

  it('a policy that fails on the result (shouldCache throws) costs the decorated call nothing: onError gets it', async () => {
    const errors: StorageError[] = []
    class Lenient {
      @Cached({
        cache,
        shouldCache: () => {
          throw new Error('shouldCache exploded')
        },
        onError: (e) => errors.push(e),
      })
      async load(id: string) {
        return id.toUpperCase()
      }
    }
    await expect(new Lenient().load('a')).resolves.toBe('A')
    expect(errors.map((e) => e.code)).toEqual(['E_POLICY'])
  })

  describe('@CacheConfig', () => {
    let dir: string
    let cache: Cache
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tiercache-review-'))
      const clock = { now: () => T0 } // time stands still: lifetimes can be checked exactly
      cache = new Cache({
        cacheDir: dir,
        cleanupInterval: false,
        clock,
        tiers: [new MemoryTier({ clock })],
      })
    })
    afterEach(async () => {
      await cache.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('a first call without `this` (a method passed as a callback) does not lose the class config for later calls', async () => {
      const target = cache
      const previous = getDefaultCache()
      const fallback = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false }) // where the entries go instead
      setDefaultCache(fallback)
      @CacheConfig({ namespace: 'video', version: 2, cache: target })
      class VideoService {
        @Cached()
        async getVideoMetadata(videoId: string) {
          return { videoId }
        }
      }
      const service = new VideoService()
      const detached = service.getVideoMetadata
      await detached('a') // e.g. ids.map(service.getVideoMetadata)
      await service.getVideoMetadata('b')
      setDefaultCache(previous)
      expect([...fallback.memoryCache.keys()]).toEqual([])
      expect([...target.memoryCache.keys()].sort()).toEqual([
        'video:VideoService.getVideoMetadata:v2:a',
        'video:VideoService.getVideoMetadata:v2:b',
      ])
    })

    it('class-level ttl applies, and @Cached options override it', async () => {
      const target = cache
      @CacheConfig({ namespace: 'r', ttl: 10, cache: target })
      class S {
        @Cached()
        async a(x: number) {
          return x
        }
        @Cached({ ttl: 20 })
        async b(x: number) {
          return x
        }
      }
      const s = new S()
      await s.a(1)
      await s.b(1)
      expect(target.peek('r:S.a:v1:1')!.expiresAt).toBe(T0 + 10_000)
      expect(target.peek('r:S.b:v1:1')!.expiresAt).toBe(T0 + 20_000)
    })
  })
}
