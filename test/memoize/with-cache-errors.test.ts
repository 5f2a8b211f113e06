import { Cache } from '../../src/storage/cache'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { CacheError } from '../../src/core/exceptions'
import { outcome } from '../helpers/outcome'

describe('withCache helpers reject rather than throw', () => {
  const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
  afterAll(() => cache.close())
  const get = withCache(async (x: unknown) => String(x), { cache, namespace: 'review' })
  const keyed = withCache(async (x: string) => x, {
    cache,
    key: (x: string) => x, // '' is not a usable key
  })

  it('peek() with an argument no key can be built from returns a rejected promise', async () => {
    expect(outcome(() => get.peek(() => 1))).toBe('promise')
    await expect(get.peek(() => 1)).rejects.toBeInstanceOf(CacheError)
  })

  it('invalidate() with an argument no key can be built from returns a rejected promise', async () => {
    expect(outcome(() => get.invalidate(Symbol('s')))).toBe('promise')
  })

  it('refresh() whose key function returns an empty key returns a rejected promise', async () => {
    expect(outcome(() => keyed.refresh(''))).toBe('promise')
  })

  it('the wrapped call itself rejects', async () => {
    expect(outcome(() => get(() => 1))).toBe('promise')
    expect(outcome(() => keyed(''))).toBe('promise')
  })
})

describe('options of withCache', () => {
  it('a bad ttl is a TypeError at wrap time, not a rejection of every call after the function ran', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    let runs = 0
    const wrap = () =>
      withCache(async () => ++runs, { cache, namespace: 'review', ttl: '5 minutes' })
    expect(wrap).toThrow(TypeError)
    expect(runs).toBe(0)
  })
})
