import type { Entry, InProcessTier } from '../storage/tier'
import type { SuiteState } from './tier-suite-freshness'
import type { EntryHelpers } from './tier-suite-hostile'
import type { TestFunctions } from './test-functions'

/**
 * The InProcessTier capability, part of `describeTier` for `inProcess: true`: `put`, the synchronous `peek`,
 * `isCurrent` and `needsEncoded`.
 */
export function describeInProcess(
  t: TestFunctions,
  state: () => SuiteState,
  { makeEntry, expectSameEntry }: EntryHelpers,
) {
  const { it, expect } = t
  const inProcess = () => state().tier as InProcessTier

  it('put() does what set() does: peek() and get() read the same entry', async () => {
    const { tier, clock } = state()
    const put = makeEntry('by-put', { via: 'put' }, clock.now() + 60_000)
    const set = makeEntry('by-set', { via: 'set' }, clock.now() + 60_000)
    inProcess().put(put)
    await tier.set(set)
    for (const want of [put, set]) {
      expectSameEntry(inProcess().peek(want.key), want)
      expectSameEntry(await tier.get(want.key), want)
    }
    inProcess().put(makeEntry('by-put', 'replaced', clock.now() + 60_000))
    expect(inProcess().peek('by-put')?.value).toBe('replaced')
    expect((await tier.stats()).entries).toBe(2)
    expect(inProcess().size).toBe(2)
    expect([...inProcess().keys()].sort()).toEqual(['by-put', 'by-set'])
  })

  it('peek() is synchronous, and a miss once the entry expired', async () => {
    const { clock } = state()
    inProcess().put(makeEntry('k', 1, clock.now() + 1_000))
    expect(inProcess().peek('k')?.value).toBe(1)
    expect(inProcess().peek('never-set')).toBeUndefined()
    clock.advance(1_000)
    expect(inProcess().peek('k')).toBeUndefined()
  })

  it('isCurrent() holds until the entry is replaced, deleted, cleared or expired', async () => {
    const { tier, clock } = state()
    const check = async (end: (entry: Entry) => Promise<unknown> | void) => {
      inProcess().put(makeEntry('k', 'v', clock.now() + 1_000))
      const entry = inProcess().peek('k')!
      expect(inProcess().isCurrent(entry)).toBe(true)
      await end(entry)
      expect(inProcess().isCurrent(entry)).toBe(false)
    }
    await check(() => inProcess().put(makeEntry('k', 'newer', clock.now() + 1_000)))
    await check(() => tier.delete('k'))
    await check(() => tier.clear())
    await check(() => void clock.advance(1_000))
  })

  it('needsEncoded is a boolean, and the tier stores entries with or without the text', async () => {
    const { clock } = state()
    expect(typeof inProcess().needsEncoded).toBe('boolean')
    const entry = makeEntry('k', { n: 1 }, clock.now() + 60_000)
    inProcess().put(entry)
    expect(inProcess().peek('k')?.value).toEqual({ n: 1 })
    if (!inProcess().needsEncoded) {
      inProcess().put({ key: 'raw', value: { n: 2 }, expiresAt: clock.now() + 60_000 })
      expect(inProcess().peek('raw')?.value).toEqual({ n: 2 })
    }
  })
}
