import { encode } from '../core/codec'
import { compilePattern } from '../core/pattern'
import { isInProcessTier, type Entry, type Tier } from '../storage/tier'
import { FakeClock } from './fake-clock'
import { describeExpiry } from './tier-suite-expiry'
import { describeFreshness } from './tier-suite-freshness'
import { describeHostileInput } from './tier-suite-hostile'
import { describeInProcess } from './tier-suite-in-process'
import type { TestFunctions } from './test-functions'
import { describeKeyListing } from './tier-suite-keys'

/**
 * What a tier can do beyond the contract; the suite adds tests for each capability.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { FileTier } from 'tiercache'
 * import { describeTier, type TierSuiteOptions } from 'tiercache/testing'
 *
 * const options: TierSuiteOptions = {
 *   name: 'FileTier',
 *   make: (clock) => new FileTier({ dir: mkdtempSync(join(tmpdir(), 'tier-')), clock }),
 *   persistent: true, // a second instance over the same folder sees the entries
 *   reopen: (tier, clock) => new FileTier({ dir: tier.dir!, clock }),
 *   test: { describe, it, expect, beforeEach, afterEach },
 * }
 * describeTier(options)
 * ```
 */
export interface TierCaps {
  /** A new instance over the same storage sees old entries (file, redis). Needs `reopen`. */
  persistent?: boolean
  /** A second instance over the storage of `tier`, for `persistent` tiers. */
  reopen?: (tier: Tier, clock: FakeClock) => Tier | Promise<Tier>
  /** The tier lives in the process and offers `peek`, `put`, `isCurrent` and `needsEncoded` (InProcessTier). */
  inProcess?: boolean
  /**
   * The storage removes expired entries by itself, on its own clock (Redis, `PXAT`): `prune()` has nothing
   * to do and returns 0, and entries past the tier's clock read as misses until the storage drops them.
   */
  expiresByItself?: boolean
  /** The tier lists its keys: the optional `keys(match?)` that `cache.keys()` needs (implied by `inProcess`). */
  listsKeys?: boolean
}

/**
 * An entry as `Cache` would hand it to a tier: with the codec's text computed once.
 *
 * @example
 * ```ts
 * import { MemoryTier } from 'tiercache'
 * import { FakeClock, makeEntry } from 'tiercache/testing'
 *
 * const clock = new FakeClock()
 * const tier = new MemoryTier({ clock })
 * await tier.set(makeEntry('k', { a: 1 }, clock.now() + 60_000))
 * ```
 */
export function makeEntry(key: string, value: unknown, expiresAt: number): Entry {
  return { key, value, encoded: encode(value), expiresAt }
}

/**
 * What `describeTier` takes: the tier under test, the runner's functions, and what the tier can do
 * beyond the contract.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { FileTier } from 'tiercache'
 * import { describeTier, type TierSuiteOptions } from 'tiercache/testing'
 *
 * const options: TierSuiteOptions = {
 *   name: 'FileTier',
 *   make: (clock) => new FileTier({ dir: mkdtempSync(join(tmpdir(), 'tier-')), clock }),
 *   persistent: true, // a second instance over the same folder sees the entries
 *   reopen: (tier, clock) => new FileTier({ dir: tier.dir!, clock }),
 *   test: { describe, it, expect, beforeEach, afterEach },
 * }
 * describeTier(options)
 * ```
 */
export interface TierSuiteOptions extends TierCaps {
  /** The tier's name in the test titles. */
  name: string
  /** A fresh, empty tier for each test, reading time from `clock`. */
  make: (clock: FakeClock) => Tier | Promise<Tier>
  /** The runner's functions, e.g. `{ describe, it, expect, beforeEach, afterEach }` of Jest or Vitest. */
  test: TestFunctions
}

/**
 * The contract of `Tier` (see `storage/tier.ts`) in executable form: one `describe` block of tests for the
 * tier that `make` returns. Every tier's test file calls it once, at the top level of the file.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
 * import { MemoryTier } from 'tiercache'
 * import { describeTier } from 'tiercache/testing'
 *
 * describeTier({
 *   name: 'MemoryTier',
 *   make: (clock) => new MemoryTier({ clock }), // a fresh, empty tier reading time from `clock`
 *   inProcess: true,
 *   test: { describe, it, expect, beforeEach, afterEach },
 * })
 * ```
 */
export function describeTier(options: TierSuiteOptions): void {
  const { name, make, test: t, ...caps } = options
  const { describe, it, expect, beforeEach, afterEach } = t
  describe(`${name} satisfies Tier`, () => {
    let clock: FakeClock
    let tier: Tier

    beforeEach(async () => {
      clock = new FakeClock(1_700_000_000_000)
      tier = await make(clock)
    })
    afterEach(async () => tier.close())

    /** Asserts that `got` is `want` as read back: same key, expiry, value and (when the tier returns it) text. */
    const expectSameEntry = (got: Entry | undefined, want: Entry) => {
      expect(got).toBeDefined()
      expect(got!.key).toBe(want.key)
      expect(got!.expiresAt).toBe(want.expiresAt)
      expect(got!.freshUntil ?? got!.expiresAt).toBe(want.freshUntil ?? want.expiresAt)
      expect(got!.value).toEqual(want.value)
      if (got!.encoded !== undefined) expect(got!.encoded).toBe(want.encoded)
    }

    it('get() of a missing key is undefined', async () => {
      expect(await tier.get('never-set')).toBeUndefined()
    })

    it('set() then get() returns the same entry', async () => {
      const want = makeEntry(
        'video_1',
        { title: 'x', frames: [1, 2.5, -3], nested: { ok: true, none: null } },
        clock.now() + 60_000,
      )
      await tier.set(want)
      expectSameEntry(await tier.get('video_1'), want)
    })

    it('a tagged entry reads back with its tag stamps (dropping them would serve invalidated values)', async () => {
      const tags = { tags: ['video:abc', 'catalog'], counters: [3, 0], checkedAt: -1 }
      await tier.set({ ...makeEntry('tagged', 'v', clock.now() + 60_000), tags })
      const got = await tier.get('tagged')
      expect({ tags: got?.tags?.tags, counters: got?.tags?.counters }).toEqual({
        tags: tags.tags,
        counters: tags.counters,
      })
    })

    it('set() replaces the previous entry of the key', async () => {
      await tier.set(makeEntry('k', 'old', clock.now() + 60_000))
      const want = makeEntry('k', { now: 'new' }, clock.now() + 120_000)
      await tier.set(want)
      expectSameEntry(await tier.get('k'), want)
      expect((await tier.stats()).entries).toBe(1)
    })

    describeExpiry(t, () => ({ tier, clock }), { makeEntry, expectSameEntry }, caps)

    it('delete() returns true once, then false', async () => {
      await tier.set(makeEntry('k', 1, clock.now() + 60_000))
      expect(await tier.delete('k')).toBe(true)
      expect(await tier.get('k')).toBeUndefined()
      expect(await tier.delete('k')).toBe(false)
      expect(await tier.delete('never-set')).toBe(false)
    })

    it('clear(match) removes only matches and returns the count', async () => {
      const longVideoKey = `video_${'x'.repeat(300)}` // long enough for a hashed file name
      const keys = ['video_1', 'video_2', longVideoKey, 'audio_1', 'Video_3', 'xvideo_4']
      for (const key of keys) await tier.set(makeEntry(key, key.length, clock.now() + 60_000))
      const isVideo = (key: string) => key.startsWith('video_')
      const expected = keys.filter(isVideo)

      expect(await tier.clear(compilePattern('video_*'))).toBe(expected.length) // a matcher with a prefix
      for (const key of keys) expect((await tier.get(key)) === undefined).toBe(isVideo(key))

      expect(await tier.clear((key) => key.endsWith('_4'))).toBe(1) // a bare predicate, no prefix
      expect(await tier.get('xvideo_4')).toBeUndefined()
      expect(await tier.get('audio_1')).toBeDefined()

      expect(await tier.clear()).toBe(2)
      expect(await tier.get('audio_1')).toBeUndefined()
      expect(await tier.get('Video_3')).toBeUndefined()
      expect((await tier.stats()).entries).toBe(0)
    })

    it('stats() counts the entries held', async () => {
      expect((await tier.stats()).entries).toBe(0)
      for (let i = 0; i < 5; i++)
        await tier.set(makeEntry(`k${i}`, 'x'.repeat(i * 10), clock.now() + 60_000))
      expect((await tier.stats()).entries).toBe(5)
      await tier.delete('k0')
      expect((await tier.stats()).entries).toBe(4)
    })

    describeHostileInput(t, () => ({ tier, clock }), { makeEntry, expectSameEntry })

    it('close() can be called twice', async () => {
      await tier.close()
      expect(await tier.close()).toBeUndefined()
    })

    it(`is ${caps.inProcess ? '' : 'not '}an in-process tier, as its capabilities say`, async () => {
      expect(isInProcessTier(tier)).toBe(caps.inProcess === true)
    })

    if (caps.inProcess)
      describeInProcess(t, () => ({ tier, clock }), { makeEntry, expectSameEntry })

    describeFreshness(t, () => ({ tier, clock }), caps)

    const listsKeys = caps.listsKeys === true || caps.inProcess === true
    it(`${listsKeys ? 'lists' : 'does not list'} its keys, as its capabilities say`, async () => {
      expect(typeof tier.keys === 'function').toBe(listsKeys)
    })

    if (listsKeys)
      describeKeyListing({
        test: t,
        tier: () => tier,
        clock: () => clock,
        makeEntry,
        expiresByItself: caps.expiresByItself === true,
      })

    if (caps.persistent) {
      it('a second instance reads what the first wrote', async () => {
        if (!caps.reopen) throw new Error('persistent tiers must pass caps.reopen')
        const want = makeEntry(
          'shared',
          { from: 'first', at: new Date(clock.now()) },
          clock.now() + 60_000,
        )
        await tier.set(want)
        const second = await caps.reopen(tier, clock)
        try {
          expectSameEntry(await second.get('shared'), want)
          expect(await second.delete('shared')).toBe(true)
          expect(await tier.get('shared')).toBeUndefined()
        } finally {
          await second.close()
        }
      })
    }
  })
}
