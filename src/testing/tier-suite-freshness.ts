import { encode } from '../core/codec'
import type { Entry, InProcessTier, Tier } from '../storage/tier'
import type { FakeClock } from './fake-clock'
import type { TierCaps } from './tier-suite'
import type { TestFunctions } from './test-functions'

/** The tier and clock of the test under way (made afresh by the suite's `beforeEach`). */
export interface SuiteState {
  tier: Tier
  clock: FakeClock
}

/**
 * The contract's stale window, part of `describeTier`: a tier keeps `freshUntil` and `refreshAt` as it was
 * given them, and keeps a stale entry (past `freshUntil`) until `expiresAt`. `Cache` decides who may read it.
 */
export function describeFreshness(t: TestFunctions, state: () => SuiteState, caps: TierCaps) {
  const { describe, it, expect } = t
  const staleEntry = (clock: FakeClock, key = 'k'): Entry => ({
    key,
    value: { v: key },
    encoded: encode({ v: key }),
    refreshAt: clock.now() + 500,
    freshUntil: clock.now() + 1_000,
    expiresAt: clock.now() + 5_000,
  })
  const expectTimes = (got: Entry | undefined, want: Entry) => {
    expect(got?.value).toEqual(want.value)
    expect([got?.freshUntil, got?.refreshAt, got?.expiresAt]).toEqual([
      want.freshUntil,
      want.refreshAt,
      want.expiresAt,
    ])
  }

  describe('stale window', () => {
    it('freshUntil and refreshAt round-trip through set() and get()', async () => {
      const { tier, clock } = state()
      const want = staleEntry(clock)
      await tier.set(want)
      expectTimes(await tier.get('k'), want)
    })

    it('a stale entry is kept until expiresAt, then reads as a miss', async () => {
      const { tier, clock } = state()
      const want = staleEntry(clock)
      await tier.set(want)
      clock.advance(4_999) // stale since 1_000 ms
      expectTimes(await tier.get('k'), want)
      clock.advance(1)
      expect(await tier.get('k')).toBeUndefined()
    })

    if (!caps.expiresByItself)
      it('prune() keeps stale entries and removes those past expiresAt', async () => {
        const { tier, clock } = state()
        await tier.set(staleEntry(clock, 'a'))
        clock.advance(2_000)
        expect(await tier.prune()).toBe(0)
        expect((await tier.get('a'))?.value).toEqual({ v: 'a' })
        clock.advance(3_000)
        expect(await tier.prune()).toBe(1)
      })

    // Without reopen the suite's own persistence test says what is missing.
    if (caps.persistent && caps.reopen)
      it('a second instance reads the stale window the first wrote', async () => {
        const { tier, clock } = state()
        const want = staleEntry(clock)
        await tier.set(want)
        const second = await caps.reopen!(tier, clock)
        try {
          clock.advance(2_000)
          expectTimes(await second.get('k'), want)
        } finally {
          await second.close()
        }
      })

    if (caps.inProcess)
      it('peek() and isCurrent() refuse an entry past refreshAt; peekStale() serves it until expiresAt', async () => {
        const { tier, clock } = state()
        const memory = tier as InProcessTier
        memory.put(staleEntry(clock))
        const entry = memory.peek('k')!
        expect(memory.isCurrent(entry)).toBe(true)
        clock.advance(500)
        expect(memory.peek('k')).toBeUndefined()
        expect(memory.isCurrent(entry)).toBe(false)
        if (memory.peekStale === undefined) return
        expect(memory.peekStale('k')?.value).toEqual({ v: 'k' })
        clock.advance(4_499)
        expect(memory.peekStale('k')?.value).toEqual({ v: 'k' })
        clock.advance(1)
        expect(memory.peekStale('k')).toBeUndefined()
      })

    if (caps.inProcess)
      it('holds() keeps a kept entry, stale or not, until it expires or is replaced', async () => {
        const { tier, clock } = state()
        const memory = tier as InProcessTier
        const holds = memory.holds?.bind(memory)
        if (holds === undefined) return
        memory.put(staleEntry(clock))
        const entry = memory.peek('k')!
        expect(holds(entry)).toBe(true)
        clock.advance(4_999) // past refreshAt and freshUntil
        expect(holds(entry)).toBe(true)
        memory.put({ ...staleEntry(clock), value: { v: 'newer' } })
        expect(holds(entry)).toBe(false)
        const newer = memory.peekStale?.('k') ?? entry
        clock.advance(5_000)
        expect(holds(newer)).toBe(false)
      })
  })
}
