import type { SuiteState } from './tier-suite-freshness'
import type { EntryHelpers } from './tier-suite-hostile'
import type { TierCaps } from './tier-suite'
import type { TestFunctions } from './test-functions'

/**
 * Expiry, part of `describeTier`: an entry reads as a miss from `expiresAt` on (never, for `Infinity`), and
 * `prune()` removes expired entries only, or has nothing to do for storage that expires by itself.
 */
export function describeExpiry(
  t: TestFunctions,
  state: () => SuiteState,
  { makeEntry, expectSameEntry }: EntryHelpers,
  caps: TierCaps,
) {
  const { it, expect } = t

  it('an entry reads as a miss once clock passes expiresAt', async () => {
    const { tier, clock } = state()
    const want = makeEntry('k', 42, clock.now() + 1_000)
    await tier.set(want)
    clock.advance(999)
    expectSameEntry(await tier.get('k'), want)
    clock.advance(1) // expiresAt <= now is expired
    expect(await tier.get('k')).toBeUndefined()
  })

  it('an entry with expiresAt Infinity never expires', async () => {
    const { tier, clock } = state()
    const want = makeEntry('forever', 'v', Infinity)
    await tier.set(want)
    clock.advance(100 * 365 * 86_400_000)
    expectSameEntry(await tier.get('forever'), want)
    expect(await tier.prune()).toBe(0)
    expectSameEntry(await tier.get('forever'), want)
  })

  if (caps.expiresByItself) {
    it('prune() has nothing to do; expired entries read as misses', async () => {
      const { tier, clock } = state()
      await tier.set(makeEntry('short', 1, clock.now() + 1_000))
      await tier.set(makeEntry('edge', 2, clock.now() + 2_000))
      await tier.set(makeEntry('long', 3, clock.now() + 5_000))
      await tier.set(makeEntry('never', 4, Infinity))
      clock.advance(2_000) // 'edge' expires exactly now
      expect(await tier.prune()).toBe(0)
      expect(await tier.get('short')).toBeUndefined()
      expect(await tier.get('edge')).toBeUndefined()
      expect((await tier.get('long'))?.value).toBe(3)
      expect((await tier.get('never'))?.value).toBe(4)
    })
  }

  // Not for storage that expires by itself: the test above takes its place.
  if (!caps.expiresByItself)
    it('prune() removes expired entries only', async () => {
      const { tier, clock } = state()
      await tier.set(makeEntry('short', 1, clock.now() + 1_000))
      await tier.set(makeEntry('edge', 2, clock.now() + 2_000))
      await tier.set(makeEntry('long', 3, clock.now() + 5_000))
      await tier.set(makeEntry('never', 4, Infinity))
      expect(await tier.prune()).toBe(0)
      clock.advance(2_000) // 'edge' expires exactly now
      expect(await tier.prune()).toBe(2)
      expect((await tier.stats()).entries).toBe(2)
      expect((await tier.get('long'))?.value).toBe(3)
      expect((await tier.get('never'))?.value).toBe(4)
      expect(await tier.prune()).toBe(0)
    })
}
