import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { Cached } from '../../src/memoize/cached'
import { CacheError } from '../../src/core/exceptions'

/** Names of decorated methods in default keys; run under both decorator modes (see the two test files). */
export function describeMethodNames(): void {
  const memoryCache = () => new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })

  it('a static method and an instance method named alike never share a key', async () => {
    const cache = memoryCache()
    class Report {
      @Cached({ cache })
      static async build(id: string) {
        return `static ${id}`
      }
      @Cached({ cache })
      async build(id: string) {
        return `instance ${id}`
      }
    }
    expect(await Report.build('1')).toBe('static 1')
    expect(await new Report().build('1')).toBe('instance 1')
    expect(await Report.build('1')).toBe('static 1')
    await cache.close()
  })

  it('an instance method whose name holds a dot never takes a static method’s key', async () => {
    const cache = memoryCache()
    class Odd {
      @Cached({ cache })
      static async m() {
        return 'static m'
      }
      @Cached({ cache })
      async ['static.m']() {
        return 'instance static.m'
      }
    }
    expect(await Odd.m()).toBe('static m')
    expect(await new Odd()['static.m']()).toBe('instance static.m')
    await cache.close()
  })

  it('two different classes of one name: the second one’s first call rejects with a CacheError naming the fix', async () => {
    const cache = memoryCache()
    const first = (() => {
      class Client {
        @Cached({ cache })
        async get(id: string) {
          return `first ${id}`
        }
      }
      return Client
    })()
    const second = (() => {
      class Client {
        private readonly base = 'second '
        @Cached({ cache })
        async get(id: string) {
          return `${this.base}${id}`
        }
      }
      return Client
    })()
    expect(await new first().get('1')).toBe('first 1')
    const call = new second().get('1')
    await expect(call).rejects.toBeInstanceOf(CacheError)
    await expect(call).rejects.toThrow(/Client\.get[\s\S]*namespace/)
    expect(await new first().get('2')).toBe('first 2')
    await cache.close()
  })

  it('instances of one class share the method’s entries (the class claimed its name once)', async () => {
    const cache = memoryCache()
    let runs = 0
    class Repo {
      @Cached({ cache })
      async find(id: string) {
        runs++
        return id
      }
    }
    expect(await new Repo().find('a')).toBe('a')
    expect(await new Repo().find('a')).toBe('a')
    expect(runs).toBe(1)
    await cache.close()
  })
}
