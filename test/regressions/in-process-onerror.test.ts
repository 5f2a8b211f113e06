import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FileTier } from '../../src/storage/tiers/file'
import { withCache } from '../../src/memoize/with-cache'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

/**
 * Regression, found by the second review (c389428, Cache#computeInProcess): the store runs in a `.then` reaction whose derived promise nobody
 * handles. When the store fails and the `onError` handler throws (a common "fail loudly" handler, e.g. in
 * tests: `onError: (e) => { throw e }`), that derived promise rejects and Node reports an *unhandled
 * rejection* (process exit by default since Node 15). The general path (#loadUncached) instead rejects the
 * caller's promise, which the caller handles. Before c389428 every cache took the general path.
 *
 * Fixed: only a cache whose store cannot fail (a MemoryTier without a byte bound, alone) takes the in-process
 * path; a byte-bounded one, which may fail to encode, takes the general path and rejects the caller.
 */

useTempDirs()

/** Runs `body`, then collects the unhandled rejections Node reported meanwhile. */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const listener = (reason: unknown) => seen.push(reason)
  process.on('unhandledRejection', listener)
  try {
    await body()
    await new Promise((resolve) => setTimeout(resolve, 50)) // let Node process its rejection bookkeeping
  } finally {
    process.off('unhandledRejection', listener)
  }
  return seen
}

const failLoudly = (err: Error) => {
  throw err
}

// A value a byte-bounded memory tier cannot encode (it holds a function): the store fails with E_SERIALIZATION.
const compute = () => ({ id: 1, format: () => 'x' })

describe('a throwing onError on a memory-only cache leaves no unhandled rejection', () => {
  it('getOrSet: the caller gets the rejection, nothing is left unhandled', async () => {
    const cache = new Cache({
      tiers: [new MemoryTier({ maxBytes: 10_000 })],
      cleanupInterval: false,
      onError: failLoudly,
    })
    let outcome: unknown
    const unhandled = await unhandledDuring(async () => {
      outcome = await cache.getOrSet('k', compute).catch(() => 'caller handled it')
    })
    await cache.close()
    expect(unhandled).toEqual([])
    expect(outcome).toBe('caller handled it') // the handler's throw reached the caller
  })

  it('withCache over a memory-only cache: same', async () => {
    const cache = new Cache({
      tiers: [new MemoryTier({ maxBytes: 10_000 })],
      cleanupInterval: false,
    })
    const cached = withCache(async (id: number) => ({ id, format: () => 'x' }), {
      cache,
      namespace: 'r',
      onError: failLoudly,
    })
    const unhandled = await unhandledDuring(async () => {
      await cached(1).catch(() => undefined)
    })
    await cache.close()
    expect(unhandled).toEqual([])
  })

  it('the general path (a cache with a file tier): the same failure rejects the caller and nothing is unhandled', async () => {
    const dir = makeTempDir()
    const cache = new Cache({
      tiers: [new MemoryTier({ maxBytes: 10_000 }), new FileTier({ dir })],
      cleanupInterval: false,
      onError: failLoudly,
    })
    let callerSaw: unknown
    const unhandled = await unhandledDuring(async () => {
      await cache.getOrSet('k', compute).catch((err) => (callerSaw = err))
    })
    await cache.close()
    expect(unhandled).toEqual([])
    expect(callerSaw).toMatchObject({ code: 'E_SERIALIZATION' })
  })
})
