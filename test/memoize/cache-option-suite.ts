import { Cache, Cached, CacheConfig, InvalidatesCache, MemoryTier } from '../../src'

/**
 * The decorators' `cache` option as a function of the instance: `(self) => self.cache`, so that a cache injected
 * into the instance (a NestJS provider) serves its methods. Imported by cache-option.test.ts (TC39 decorators)
 * and cache-option.legacy.test.ts (experimentalDecorators).
 */
export function describeCacheOption(): void {
  const caches: Cache[] = []
  const open = () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    caches.push(cache)
    return cache
  }
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()))
  })

  it("@Cached({ cache: (self) => self.cache }) stores in each instance's own cache", async () => {
    class Videos {
      runs = 0
      constructor(private readonly cache: Cache) {}

      @Cached({ cache: (self: Videos) => self.cache })
      async analyze(id: string) {
        this.runs++
        return `analysis of ${id}`
      }
    }
    const [first, second] = [open(), open()]
    const [a, b] = [new Videos(first), new Videos(second)]
    expect(await a.analyze('v1')).toBe('analysis of v1')
    expect(await a.analyze('v1')).toBe('analysis of v1')
    expect(a.runs).toBe(1)
    expect(await b.analyze('v1')).toBe('analysis of v1') // another cache: computed there too
    expect(b.runs).toBe(1)
    expect(first.memoryCache.size).toBe(1)
    expect(second.memoryCache.size).toBe(1)
    const c = new Videos(first) // a third instance on the first cache finds its entry
    expect(await c.analyze('v1')).toBe('analysis of v1')
    expect(c.runs).toBe(0)
  })

  it('@CacheConfig({ cache: (self) => self.cache }) serves every cached method; @InvalidatesCache clears there', async () => {
    @CacheConfig({ namespace: 'docs', cache: (self: Docs) => self.cache })
    class Docs {
      runs = 0
      constructor(readonly cache: Cache) {}

      @Cached()
      async render(id: string) {
        this.runs++
        return `<p>${id}</p>`
      }

      @InvalidatesCache((id: string) => [`docs:*${id}*`])
      async update(id: string) {
        return id
      }
    }
    const cache = open()
    const docs = new Docs(cache)
    await docs.render('d1')
    await docs.render('d1')
    expect(docs.runs).toBe(1)
    expect(cache.memoryCache.size).toBe(1)
    await docs.update('d1')
    expect(cache.memoryCache.size).toBe(0)
    await docs.render('d1')
    expect(docs.runs).toBe(2)
  })

  it('a cache function that gives no Cache makes the call reject with a TypeError; the next call tries again', async () => {
    class Late {
      cache: Cache | undefined

      @Cached({ cache: (self: Late) => self.cache! })
      async value() {
        return 42
      }
    }
    const late = new Late()
    await expect(late.value()).rejects.toThrow(/cache option's function must return a Cache/)
    late.cache = open()
    expect(await late.value()).toBe(42)
    expect(late.cache.memoryCache.size).toBe(1)
  })
}
