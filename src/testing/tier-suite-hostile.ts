import type { Entry } from '../storage/tier'
import { HOSTILE_KEYS, keyLabel } from './hostile-keys'
import type { SuiteState } from './tier-suite-freshness'
import type { TestFunctions } from './test-functions'

/** The entry helpers of `describeTier` that its groups share. */
export interface EntryHelpers {
  makeEntry: (key: string, value: unknown, expiresAt: number) => Entry
  /** Asserts that `got` is `want` as read back: same key, expiry, value and (when the tier returns it) text. */
  expectSameEntry: (got: Entry | undefined, want: Entry) => void
}

/**
 * Hostile input, part of `describeTier`: every key of HOSTILE_KEYS round-trips and coexists with the others,
 * and concurrent writes of one key leave one whole entry.
 */
export function describeHostileInput(
  t: TestFunctions,
  state: () => SuiteState,
  { makeEntry, expectSameEntry }: EntryHelpers,
) {
  const { it, expect } = t

  for (const key of HOSTILE_KEYS)
    it(`key ${keyLabel(key)} round-trips`, async () => {
      const { tier, clock } = state()
      const want = makeEntry(key, { key, n: key.length }, clock.now() + 60_000)
      await tier.set(want)
      expectSameEntry(await tier.get(key), want)
      expect(await tier.delete(key)).toBe(true)
      expect(await tier.get(key)).toBeUndefined()
    })

  it('all hostile keys coexist, each with its own value', async () => {
    const { tier, clock } = state()
    for (const [i, key] of HOSTILE_KEYS.entries())
      await tier.set(makeEntry(key, { i, key }, clock.now() + 60_000))
    expect((await tier.stats()).entries).toBe(HOSTILE_KEYS.length)
    for (const [i, key] of HOSTILE_KEYS.entries())
      expect((await tier.get(key))?.value).toEqual({ i, key })
    expect(await tier.clear((key) => HOSTILE_KEYS.includes(key))).toBe(HOSTILE_KEYS.length)
    expect((await tier.stats()).entries).toBe(0)
  })

  it('20 concurrent set() of one key leave one whole entry', async () => {
    const { tier, clock } = state()
    // Different sizes and expiries, so a mix of two writes could not pass for one of them.
    const entries = Array.from({ length: 20 }, (_, i) =>
      makeEntry(
        'contended',
        { i, payload: String(i % 10).repeat(1_000 * (i + 1)) },
        clock.now() + 1_000 * (i + 1),
      ),
    )
    await Promise.all(entries.map((entry) => tier.set(entry)))
    const got = await tier.get('contended')
    const i = (got?.value as { i: number } | undefined)?.i
    expect(typeof i).toBe('number')
    expectSameEntry(got, entries[i!]!)
    expect((await tier.stats()).entries).toBe(1)
  })
}
