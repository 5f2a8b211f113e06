import { Cache, Cached, CacheConfig, MemoryTier, withCache, type StorageError } from '../../src'
import { FakeClock } from '../../src/testing'
import { gate } from '../helpers/gate'
import { openCaches } from '../helpers/open-caches'

/** The freshness options through withCache, @Cached and @CacheConfig (behaviour: test/storage/refresh.test.ts). */

let clock: FakeClock
let errors: StorageError[]
const open = openCaches(() => ({
  clock,
  tiers: [new MemoryTier({ clock })],
  onError: (e) => errors.push(e),
}))
beforeEach(() => {
  clock = new FakeClock()
  errors = []
})

/** Lets pending reactions (a background refresh's store) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('withCache freshness options', () => {
  it('staleWhileRevalidate: a stale entry found by argument is served at once and refreshed once', async () => {
    const cache = open()
    let version = 0
    const pending = gate()
    const model = withCache(
      async (id: number) => {
        version++
        if (version > 1) await pending.promise
        return `answer ${id} v${version}`
      },
      { cache, ttl: 60, staleWhileRevalidate: 600, namespace: 'swr' },
    )
    expect(await model(1)).toBe('answer 1 v1')
    clock.advance(61_000)
    expect(await Promise.all([model(1), model(1), model(1)])).toEqual(Array(3).fill('answer 1 v1'))
    expect(version).toBe(2)
    pending.open()
    await settle()
    expect(await model(1)).toBe('answer 1 v2')
    expect(version).toBe(2)
  })

  it('a stale entry remembered by argument is not served past its stale window, nor after a delete', async () => {
    const cache = open()
    let runs = 0
    const model = withCache(async (id: number) => `run ${++runs} for ${id}`, {
      cache,
      ttl: 60,
      staleWhileRevalidate: 60,
      namespace: 'window',
    })
    await model(1)
    clock.advance(61_000)
    expect(await model(1)).toBe('run 1 for 1') // stale, remembered by argument; its refresh is run 2
    await settle()
    clock.advance(121_000) // run 2's entry: past its ttl and its stale window
    expect(await model(1)).toBe('run 3 for 1')
    clock.advance(61_000)
    expect(await model(1)).toBe('run 3 for 1') // stale again, remembered again
    await cache.delete(model.keyFor(1))
    expect(await model(1)).toBe('run 5 for 1') // run 4 was the refresh the stale hit started
  })

  it('every stale hit is counted, by the function and by the cache, whether remembered by argument or not', async () => {
    const cache = open()
    const pending = gate()
    let runs = 0
    const model = withCache(
      async (id: number) => {
        if (++runs > 1) await pending.promise
        return `run ${runs} for ${id}`
      },
      { cache, ttl: 60, staleWhileRevalidate: 600, namespace: 'counted' },
    )
    await model(1)
    clock.advance(61_000)
    for (let i = 0; i < 3; i++) expect(await model(1)).toBe('run 1 for 1')
    const fn = model.stats()
    expect(fn).toMatchObject({ calls: 4, staleServed: 3, misses: 1, computations: 2 }) // the refresh is no miss
    expect((await cache.stats()).freshness.staleServed.revalidate).toBe(3)
    pending.open()
  })

  it('a stale value served instead of an error is counted for its function, whatever its keys', async () => {
    const cache = open()
    let runs = 0
    const model = withCache(
      async (id: number) => {
        if (++runs > 1) throw new Error('model down')
        return `run ${runs} for ${id}`
      },
      { cache, ttl: 60, staleIfError: 600, key: (id) => `model/${id}` },
    )
    await model(1)
    clock.advance(61_000)
    expect(await model(1)).toBe('run 1 for 1') // the computation failed: stale instead
    expect(await model(1)).toBe('run 1 for 1') // within errorBackoff: stale, no computation
    expect(runs).toBe(2)
    expect(model.stats()).toMatchObject({ calls: 3, staleServed: 2, errors: 1 })
  })

  it('invalidate() during a background refresh wins: the refresh result is not stored', async () => {
    const cache = open()
    const pending = gate()
    let runs = 0
    const model = withCache(
      async (id: number) => {
        if (++runs > 1) await pending.promise
        return `run ${runs} for ${id}`
      },
      { cache, ttl: 60, staleWhileRevalidate: 600, namespace: 'inv' },
    )
    await model(1)
    clock.advance(61_000)
    expect(await model(1)).toBe('run 1 for 1') // stale; the refresh (run 2) waits
    await model.invalidate(1)
    pending.open()
    await settle()
    expect(await cache.getEntry(model.keyFor(1))).toBeUndefined()
    expect(await model(1)).toBe('run 3 for 1')
  })

  it('staleIfError and hardTimeout apply to a wrapped function', async () => {
    const cache = open()
    let fail = false
    const never = new Promise<string>(() => {})
    const model = withCache((id: number) => (fail ? never : Promise.resolve(`ok ${id}`)), {
      cache,
      ttl: 60,
      staleIfError: 600,
      hardTimeout: '5ms',
      namespace: 'hard',
    })
    expect(await model(7)).toBe('ok 7')
    clock.advance(61_000)
    fail = true
    expect(await model(7)).toBe('ok 7') // the model hangs: the stale value after 5 ms
    expect(errors.map((e) => (e.cause as { code: string }).code)).toEqual(['E_TIMEOUT'])
  })

  it.each([
    [{ staleWhileRevalidate: -1 }, /staleWhileRevalidate option/],
    [{ staleIfError: 'soon' }, /staleIfError option/],
    [{ errorBackoff: NaN }, /errorBackoff option/],
    [{ timeout: '10 parsecs' }, /timeout option/],
    [{ hardTimeout: {} }, /hardTimeout option/],
    [{ eagerRefresh: 1 }, /eagerRefresh option must be a number between 0 and 1/],
    [{ eagerRefresh: '0.5' }, /eagerRefresh option/],
    [{ jitter: -3 }, /jitter option/],
  ])('refuses %j when wrapping, with a TypeError naming the option', (options, message) => {
    const fn = (n: number) => n
    expect(() => withCache(fn, { cache: open(), ...(options as object) })).toThrow(message)
    expect(() => new Cache({ cleanupInterval: false, ...(options as object) })).toThrow(message)
  })

  it('getOrSet refuses a bad freshness option before the computation runs', async () => {
    const cache = open()
    let runs = 0
    const call = cache.getOrSet('k', () => ++runs, { eagerRefresh: 2 })
    await expect(call).rejects.toThrow(/eagerRefresh option/)
    expect(runs).toBe(0)
  })
})

describe('@Cached and @CacheConfig freshness options', () => {
  it('@CacheConfig sets them for the class, @Cached overrides them per method', async () => {
    const cache = open()
    let down = false
    const flaky = async (n: number) => {
      if (down) throw new Error('model down')
      return n * 2
    }

    @CacheConfig({ cache, ttl: 60, staleIfError: 600 })
    class Model {
      @Cached()
      async tolerant(n: number) {
        return flaky(n)
      }

      @Cached({ staleIfError: 0 })
      async strict(n: number) {
        return flaky(n)
      }
    }

    const model = new Model()
    expect([await model.tolerant(2), await model.strict(2)]).toEqual([4, 4])
    clock.advance(61_000)
    down = true
    expect(await model.tolerant(2)).toBe(4)
    await expect(model.strict(2)).rejects.toThrow('model down')
  })

  it('a bad freshness option in @Cached makes every call reject with its TypeError', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      class Model {
        @Cached({ cache: open(), eagerRefresh: 3 })
        async m() {
          return 1
        }
      }
      await expect(new Model().m()).rejects.toThrow(/eagerRefresh option/)
    } finally {
      warn.mockRestore()
    }
  })
})
