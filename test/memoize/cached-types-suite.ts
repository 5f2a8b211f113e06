import { Cache, Cached, CacheConfig, InvalidatesCache, MemoryTier } from '../../src'

/**
 * Type tests of the decorators, compiled once with standard decorators and once with experimentalDecorators
 * (cached-types.test.ts, cached-types.legacy.test.ts). `npm run typecheck` runs tsc in both modes: each
 * `@ts-expect-error` below fails it if its line stops being a type error. The test bodies check what the
 * runtime does with the same code, refusing it or showing what the type would have hidden.
 */
export function describeDecoratorTypes(): void {
  let cache: Cache
  beforeEach(() => {
    cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
  })
  afterEach(() => cache.close())

  it('@Cached on a synchronous method is a type error: its calls return a promise', async () => {
    class Sync {
      // @ts-expect-error -- a synchronous method: the cached one returns a promise its type does not say
      @Cached({ cache, namespace: 'sync' })
      double(n: number) {
        return n * 2
      }
    }
    const result: unknown = new Sync().double(2)
    expect(result).toBeInstanceOf(Promise)
    expect(await result).toBe(4)
  })

  it('@Cached or @InvalidatesCache on a getter or a field is a type error, and the runtime refuses it', () => {
    const getter = () => {
      class Getter {
        // @ts-expect-error -- a getter, not a method
        @Cached({ cache })
        get value() {
          return Promise.resolve(1)
        }
      }
      return Getter
    }
    const field = () => {
      class Field {
        // @ts-expect-error -- a field holding a function, not a method
        @Cached({ cache })
        load = async () => 1
      }
      return new Field()
    }
    const invalidatingField = () => {
      class Field {
        // @ts-expect-error -- a field, not a method
        @InvalidatesCache(() => 'x*', { cache })
        save = async () => 1
      }
      return new Field()
    }
    expect(getter).toThrow(TypeError)
    expect(field).toThrow(TypeError)
    expect(invalidatingField).toThrow(TypeError)
  })

  it('@CacheConfig on a method is a type error, and the runtime refuses it', () => {
    const onMethod = () => {
      class Service {
        // @ts-expect-error -- a class decorator on a method
        @CacheConfig({ cache })
        async load() {
          return 1
        }
      }
      return Service
    }
    expect(onMethod).toThrow(/@CacheConfig decorates classes only/)
  })

  it('a key function whose parameters the method’s arguments do not fit is a type error', async () => {
    class Keyed {
      // @ts-expect-error -- the key takes a number, the method gets a string
      @Cached({ cache, key: (id: number) => `n${id.toFixed(0)}` })
      async byNumber(id: string) {
        return id
      }

      // @ts-expect-error -- the key needs two arguments, the method gets one
      @Cached({ cache, key: (a: string, b: string) => `${a}:${b.length}` })
      async twoForOne(a: string) {
        return a
      }

      // @ts-expect-error -- shouldCache takes a list, the method gives a number
      @Cached({ cache, namespace: 'count', shouldCache: (items: string[]) => items.length > 0 })
      async count() {
        return 1
      }

      // @ts-expect-error -- the patterns function takes a number, the method gets a string
      @InvalidatesCache((id: number) => `video_${id.toFixed(0)}_*`, { cache })
      async update(id: string) {
        return id
      }
    }
    // What the types caught: each of these calls fails inside an option's function, after the method ran.
    const keyed = new Keyed()
    await expect(keyed.byNumber('7')).rejects.toThrow(TypeError) // '7'.toFixed is not a function
    await expect(keyed.twoForOne('a')).rejects.toThrow(TypeError) // b is undefined
    await expect(keyed.update('7')).rejects.toThrow(TypeError)
  })

  it('accepts what fits: fewer or wider key parameters, `this` in the key, static and async methods', async () => {
    @CacheConfig({ cache, namespace: 'fits' })
    class Fits {
      constructor(readonly model = 'm') {}

      @Cached({ key: (id: string) => `first_${id}` })
      async firstOnly(id: string, verbose?: boolean) {
        return `${id}${verbose ? '!' : ''}`
      }

      @Cached({ key: (id: string | number) => `wide_${id}` })
      async wider(id: string) {
        return id
      }

      @Cached({
        key(this: Fits, id: string) {
          return `this_${this.model}_${id}`
        },
      })
      async withThis(id: string) {
        return id
      }

      @Cached({ ttl: (result, [id]) => (result.length > 0 && id ? 60 : 0) })
      async ttlOfResult(id: string) {
        return [id]
      }

      @Cached()
      static async lookup(id: string) {
        return id.length
      }

      @InvalidatesCache((id: string) => [`first_${id}`])
      async update(id: string) {
        return id
      }
    }
    const fits = new Fits()
    expect(await fits.firstOnly('a', true)).toBe('a!')
    expect(await fits.wider('b')).toBe('b')
    expect(await fits.withThis('c')).toBe('c')
    expect(await fits.ttlOfResult('d')).toEqual(['d'])
    expect(await Fits.lookup('abc')).toBe(3)
    expect(await cache.has('this_m_c')).toBe(true)
    expect(await cache.has('first_a')).toBe(true)
    expect(await fits.update('a')).toBe('a')
    expect(await cache.has('first_a')).toBe(false)
  })
}
