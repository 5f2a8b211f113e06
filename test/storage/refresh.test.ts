import type { StorageError } from '../../src/core/exceptions'
import type { Cache, CacheOptions } from '../../src/storage/cache'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FakeClock } from '../../src/testing'
import { openCaches } from '../helpers/open-caches'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

/** Waits (a few ms at a time, bounded) until `condition` holds: for a background refresh to be stored. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`never came true: ${what}`)
}

/** What a call settled with: its value, or its rejection's message. */
const settled = (call: Promise<unknown>) =>
  call.then(
    (value) => ({ value }),
    (err: unknown) => ({ error: (err as Error).message }),
  )

/**
 * A model whose answers the test hands out one by one: each call waits for `answer()`, which waits for the
 * call to have started (behind a file lookup, it starts a little later).
 */
function slowModel() {
  const pending: { open: (v: string) => void; fail: (e: Error) => void }[] = []
  let runs = 0
  return {
    fn: () => {
      runs++
      return new Promise<string>((resolve, reject) => pending.push({ open: resolve, fail: reject }))
    },
    get runs() {
      return runs
    },
    answer: async (value: string) => {
      await until(async () => pending.length > 0, 'the model is called')
      pending.shift()!.open(value)
    },
    get waiting() {
      return pending.length
    },
  }
}

const LAYOUTS = [
  ['memory only', (clock: FakeClock) => [new MemoryTier({ clock })]],
  [
    'memory + file',
    (clock: FakeClock) => [new MemoryTier({ clock }), new FileTier({ dir: makeTempDir(), clock })],
  ],
] as const

describe.each(LAYOUTS)('freshness, %s', (_layout, tiersOf) => {
  let clock: FakeClock
  let errors: StorageError[]
  const open = openCaches(() => ({ clock, tiers: tiersOf(clock), onError: (e) => errors.push(e) }))
  beforeEach(() => {
    clock = new FakeClock()
    errors = []
  })
  const withValue = async (options: CacheOptions, value = 'v1') => {
    const cache = open(options)
    await cache.getOrSet('k', () => value, { ttl: 60, hardTimeout: 0 }) // 0: off (a slow disk is no failure here)
    return cache
  }

  describe('without freshness options', () => {
    it('an entry past its ttl is gone, and the next call computes', async () => {
      const cache = await withValue({})
      expect(await cache.getEntry('k')).toMatchObject({ stale: false, value: 'v1' })
      clock.advance(60_000)
      expect(await cache.getEntry('k')).toBeUndefined()
      expect(await cache.getOrSet('k', () => 'v2', { ttl: 60 })).toBe('v2')
    })
  })

  describe('staleWhileRevalidate', () => {
    it('1000 concurrent calls on a stale key get the stale value at once; the function runs once; the next call gets the new value', async () => {
      const cache = await withValue({ staleWhileRevalidate: 60 })
      const model = slowModel()
      clock.advance(61_000)
      const calls = Array.from({ length: 1_000 }, () => cache.getOrSet('k', model.fn, { ttl: 60 }))
      expect(await Promise.all(calls)).toEqual(Array(1_000).fill('v1')) // the refresh is still waiting
      expect(model.runs).toBe(1)
      await model.answer('v2')
      await until(async () => (await cache.get('k')) === 'v2', 'the refresh is stored')
      expect(await cache.getOrSet('k', model.fn, { ttl: 60 })).toBe('v2')
      expect(model.runs).toBe(1)
    })

    it('once the window is over, the call waits for the computation', async () => {
      const cache = await withValue({ staleWhileRevalidate: 60 })
      clock.advance(120_000)
      expect(await cache.getEntry('k')).toBeUndefined()
      expect(await cache.getOrSet('k', () => 'v2', { ttl: 60 })).toBe('v2')
    })

    it('cache.get serves fresh values only; getEntry shows the stale one', async () => {
      const cache = await withValue({ staleWhileRevalidate: 60 })
      clock.advance(61_000)
      expect(await cache.get('k')).toBeUndefined()
      expect(await cache.has('k')).toBe(false)
      expect(await cache.getEntry('k')).toMatchObject({
        value: 'v1',
        stale: true,
        freshUntil: clock.now() - 1_000,
        expiresAt: clock.now() + 59_000,
        tier: 'memory',
      })
    })

    it('a failing refresh is reported, never rejects into nowhere, and the stale value stays', async () => {
      const cache = await withValue({ staleWhileRevalidate: 60 })
      clock.advance(61_000)
      const failing = () => Promise.reject(new Error('model down'))
      expect(await cache.getOrSet('k', failing, { ttl: 60 })).toBe('v1')
      await until(async () => errors.length > 0, 'the failure is reported')
      expect([errors[0]?.code, (errors[0]?.cause as Error).message]).toEqual([
        'E_REFRESH',
        'model down',
      ])
      expect(await cache.getOrSet('k', () => 'unused', { ttl: 60 })).toBe('v1')
    })

    it('a delete during the refresh wins: the refresh does not store its result', async () => {
      for (const invalidate of [
        (cache: Cache) => cache.delete('k'),
        (cache: Cache) => cache.clear(),
        (cache: Cache) => cache.clear('k*'),
      ]) {
        const cache = await withValue({ staleWhileRevalidate: 60 })
        const model = slowModel()
        clock.advance(61_000)
        expect(await cache.getOrSet('k', model.fn, { ttl: 60 })).toBe('v1')
        await invalidate(cache)
        await model.answer('from before the delete')
        await new Promise((resolve) => setTimeout(resolve, 20))
        expect(await cache.getEntry('k')).toBeUndefined()
        await cache.close()
      }
    })
  })

  describe('staleIfError', () => {
    it('serves the stale value for a failing model, runs it once per errorBackoff, and lets the error through once the window ends', async () => {
      const cache = await withValue({ staleIfError: 300, errorBackoff: 10 })
      let runs = 0
      const failing = () => {
        runs++
        return Promise.reject(new Error('model down'))
      }
      clock.advance(61_000)
      expect(await cache.getOrSet('k', failing, { ttl: 60 })).toBe('v1')
      expect(runs).toBe(1)
      expect(errors.map((e) => e.code)).toEqual(['E_REFRESH'])
      for (let i = 0; i < 9; i++) {
        clock.advance(1_000)
        expect(await cache.getOrSet('k', failing, { ttl: 60 })).toBe('v1')
      }
      expect(runs).toBe(1) // within the backoff: no call ran the model
      clock.advance(1_000)
      expect(await cache.getOrSet('k', failing, { ttl: 60 })).toBe('v1')
      expect(runs).toBe(2)
      clock.advance(300_000) // the stale window is over
      expect(await settled(cache.getOrSet('k', failing, { ttl: 60 }))).toEqual({
        error: 'model down',
      })
    })

    it('without a stale value, the error reaches the caller', async () => {
      const cache = open({ staleIfError: 300 })
      expect(await settled(cache.getOrSet('k', () => Promise.reject(new Error('no')), 60))).toEqual(
        { error: 'no' },
      )
    })
  })

  describe('timeout (soft)', () => {
    it('with a stale value: callers get it once the timeout passes, and the result is stored when it lands', async () => {
      const cache = await withValue({ staleIfError: 300, timeout: '5ms' })
      const model = slowModel()
      clock.advance(61_000)
      expect(await cache.getOrSet('k', model.fn, { ttl: 60 })).toBe('v1')
      // The 5 ms are real time: under load they pass before the file tier's I/O lets the computation start.
      await until(async () => model.waiting > 0, 'the computation has started')
      expect(model.runs).toBe(1)
      await model.answer('v2')
      await until(async () => (await cache.get('k')) === 'v2', 'the late result is stored')
    })

    it('without a stale value: the caller waits for the computation', async () => {
      const cache = open({ timeout: '1ms' })
      const model = slowModel()
      const call = cache.getOrSet('k', model.fn, 60)
      await new Promise((resolve) => setTimeout(resolve, 20))
      await model.answer('late but awaited')
      expect(await call).toBe('late but awaited')
    })
  })

  describe('hardTimeout', () => {
    it('without a stale value: the caller rejects with a TimeoutError; the result is stored when it lands', async () => {
      const cache = open({ hardTimeout: '5ms' })
      const model = slowModel()
      const failure = await cache.getOrSet('k', model.fn, 60).catch((e: unknown) => e)
      expect(failure).toMatchObject({ code: 'E_TIMEOUT', name: 'TimeoutError', key: 'k' })
      await model.answer('v1')
      await until(async () => (await cache.get('k')) === 'v1', 'the late result is stored')
      expect(await cache.getOrSet('k', model.fn, 60)).toBe('v1')
      expect(model.runs).toBe(1)
    })

    it('with a stale value under staleIfError: the caller gets it, and the timeout is reported', async () => {
      const cache = await withValue({ staleIfError: 300, hardTimeout: '5ms' })
      const model = slowModel()
      clock.advance(61_000)
      expect(await cache.getOrSet('k', model.fn, { ttl: 60 })).toBe('v1')
      expect((errors[0]?.cause as { code?: string }).code).toBe('E_TIMEOUT')
      await model.answer('v2')
      await until(async () => (await cache.get('k')) === 'v2', 'the late result is stored')
    })

    it('a computation hung past the hard timeout and the error backoff is abandoned: the next call computes anew', async () => {
      const cache = open({ hardTimeout: '5ms', errorBackoff: 10 })
      const model = slowModel()
      await expect(cache.getOrSet('k', model.fn, 60)).rejects.toMatchObject({ code: 'E_TIMEOUT' })
      await expect(cache.getOrSet('k', model.fn, 60)).rejects.toMatchObject({ code: 'E_TIMEOUT' })
      // The 5 ms are real time, and the file tier's lookup and lease are real I/O: under load the callers time
      // out before the computation has started. It starts all the same; wait for it, so that it is the first
      // the model answers.
      await until(async () => model.waiting > 0, 'the hung computation has started')
      expect(model.runs).toBe(1) // within the backoff, callers join the computation under way
      clock.advance(10_000)
      // This call's own lookup reads the disk too: no 5 ms bound on it (its errorBackoff is what abandons).
      const call = cache.getOrSet('k', model.fn, { ttl: 60, hardTimeout: '1m' })
      await model.answer('from the hung call, late')
      await model.answer('from the new call')
      expect(await call).toBe('from the new call')
      expect(model.runs).toBe(2)
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(await cache.get('k')).toBe('from the new call') // the abandoned result is not stored over it
    })

    it('with a stale value but no staleIfError: the caller rejects', async () => {
      const cache = await withValue({ staleWhileRevalidate: 60, hardTimeout: '5ms' })
      const model = slowModel()
      clock.advance(65_000)
      // This call's own window (1 s) is over: it must compute, and may not fall back.
      const call = cache.getOrSet('k', model.fn, { ttl: 60, staleWhileRevalidate: 1 })
      expect(await settled(call)).toMatchObject({
        error: expect.stringContaining('hardTimeout') as string,
      })
      await model.answer('v2')
    })
  })

  describe('eagerRefresh', () => {
    it('a steady stream of calls across the expiry never waits for the function', async () => {
      const cache = open({ eagerRefresh: 0.5 })
      const model = slowModel()
      const first = cache.getOrSet('k', model.fn, 60)
      await model.answer('v0')
      await first
      let version = 0
      for (let second = 0; second < 200; second++) {
        clock.advance(1_000)
        const call = cache.getOrSet('k', model.fn, 60)
        const result = await Promise.race([
          call,
          new Promise((resolve) => setImmediate(() => resolve('waited for the function'))),
        ])
        expect([second, result]).toEqual([second, expect.stringMatching(/^v\d+$/)])
        while (model.waiting > 0) await model.answer(`v${++version}`)
        await new Promise((resolve) => setTimeout(resolve, 1)) // the refresh lands
      }
      expect(version).toBeGreaterThanOrEqual(6) // one refresh per 30 s or so, never a miss
    })
  })

  describe('jitter', () => {
    it('entries written together get different lifetimes, each within ttl + jitter', async () => {
      const cache = open({ jitter: 30 })
      const start = clock.now()
      for (let i = 0; i < 20; i++) await cache.getOrSet(`k${i}`, () => i, 60)
      const ends = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => (await cache.getEntry(`k${i}`))!.freshUntil),
      )
      for (const end of ends) {
        expect(end).toBeGreaterThanOrEqual(start + 60_000)
        expect(end).toBeLessThan(start + 90_000)
      }
      expect(new Set(ends).size).toBeGreaterThan(10)
    })
  })

  describe('cleanup', () => {
    it('keeps stale entries and removes those past their stale window', async () => {
      const cache = await withValue({ staleWhileRevalidate: 60 })
      clock.advance(61_000)
      await cache.cleanup()
      expect((await cache.getEntry('k'))?.stale).toBe(true)
      clock.advance(60_000)
      expect(await cache.cleanup()).toBe(1)
      expect(cache.memoryCache.size).toBe(0)
    })
  })
})
