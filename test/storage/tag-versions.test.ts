import { TagVersions } from '../../src/storage/tag-versions'
import type { TagCounters, TagStamps } from '../../src/storage/tier-tags'

/** Counters in a map, as a shared tier would keep them; `shared` as Redis is. */
function counters(shared = true): TagCounters & { shared: boolean; values: Map<string, number> } {
  const values = new Map<string, number>()
  return {
    shared,
    values,
    tagVersions: async (tags) => tags.map((tag) => values.get(tag) ?? 0),
    bumpTags: async (tags) =>
      tags.map((tag) => {
        values.set(tag, (values.get(tag) ?? 0) + 1)
        return values.get(tag)!
      }),
  }
}
const run = <R>(_action: string, op: () => Promise<R>) => op()
const stamps = (tags: string[], values: number[]): TagStamps => ({
  tags,
  counters: values,
  checkedAt: -1,
})

describe('TagVersions', () => {
  it('a reading of the counters that resolves late never makes older stamps current again', async () => {
    const versions = new TagVersions(counters(), run)
    versions.learn(['t'], [5])
    expect(versions.isCurrent(stamps(['t'], [5]))).toBe(true)
    await versions.receive(['t'], [6])
    versions.learn(['t'], [5]) // read before the change, resolved after it
    expect(versions.isCurrent(stamps(['t'], [5]))).toBe(false)
    expect(versions.isCurrent(stamps(['t'], [6]))).toBe(true)
  })

  it('between the invalidation and the new counter, entries of the tag are misses', async () => {
    const authority = counters()
    const versions = new TagVersions(authority, run)
    versions.learn(['t'], [0])
    const invalidating = versions.invalidate(['t'])
    expect(versions.isCurrent(stamps(['t'], [0]))).toBe(false)
    expect(await invalidating).toEqual([1])
    expect(versions.isCurrent(stamps(['t'], [1]))).toBe(true)
  })

  it('a stamp that passed is checked again after any change of its tags, learnt or told', () => {
    const versions = new TagVersions(counters(), run)
    versions.learn(['a', 'b'], [1, 1])
    const both = stamps(['a', 'b'], [1, 1])
    expect(versions.isCurrent(both)).toBe(true)
    versions.learn(['b'], [2]) // another process invalidated b; this one read the counter
    expect(versions.isCurrent(both)).toBe(false)
  })

  it('a stamp checked by one cache is not taken as checked by another', async () => {
    const [first, second] = [new TagVersions(undefined, run), new TagVersions(undefined, run)]
    await first.invalidate(['other']) // one change each: equal sequence numbers, were they per cache
    await second.invalidate(['t'])
    const made = first.stampsFor(['t'], first.sequence) as TagStamps // t at 0
    expect(first.isCurrent(made)).toBe(true)
    expect(second.isCurrent(made)).toBe(false) // t is at 1 there
  })

  it('a computation begun before a counter it had not heard of moved does not store', async () => {
    const authority = counters()
    const versions = new TagVersions(authority, run)
    versions.learn(['t'], [0])
    const since = versions.sequence
    authority.values.set('t', 1) // another process, no bus
    expect(await versions.stampsFor(['t'], since)).toBeUndefined()
    expect(await versions.stampsFor(['t'], versions.sequence)).toMatchObject({ counters: [1] })
  })

  it('counters kept on this host (a file tier) move when the bus tells of a change', async () => {
    const local = counters(false)
    const versions = new TagVersions(local, run)
    await versions.receive(['t'], [7])
    expect(local.values.get('t')).toBe(1)
  })
})
