import { ArgsIndex } from '../../src/memoize/args-index'
import type { Entry } from '../../src/storage/tier'
import { Cache } from '../../src/storage/cache'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { withCache } from '../../src/memoize/with-cache'
import { FakeClock } from '../../src/testing/fake-clock'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

const entry = (key: string): Entry => ({ key, value: key, expiresAt: Infinity })

describe('ArgsIndex', () => {
  it('finds entries by primitive arguments, telling apart types, counts and order', () => {
    const index = new ArgsIndex()
    const cases: unknown[][] = [
      [],
      ['a'],
      [1],
      ['1'],
      ['a', 1],
      [1, 'a'],
      [null],
      [undefined],
      [true, 2n],
    ]
    cases.forEach((args, i) => index.set(args, undefined, entry(`e${i}`)))
    cases.forEach((args, i) => expect(index.get(args, undefined)?.key).toBe(`e${i}`))
    expect(index.get(['a', 2], undefined)).toBeUndefined()
    expect(index.get(['a', 1, 0], undefined)).toBeUndefined()
  })

  it('compares as default keys do (Object.is): -0 never finds 0 (a call with -0 is not indexed), NaN finds NaN', () => {
    const index = new ArgsIndex()
    index.set([0], undefined, entry('zero'))
    index.set([NaN], undefined, entry('nan'))
    expect(index.get([-0], undefined)).toBeUndefined()
    index.set([-0], undefined, entry('minus zero'))
    expect(index.get([-0], undefined)).toBeUndefined()
    expect(index.get([0], undefined)?.key).toBe('zero')
    expect(index.get([NaN], undefined)?.key).toBe('nan')
  })

  it('arguments holding objects are found by their call text only, and not remembered without one', () => {
    const index = new ArgsIndex()
    const args = [{ id: 1 }]
    index.set(args, undefined, entry('no text'))
    expect(index.get(args, undefined)).toBeUndefined()
    index.set(args, '[{"id":1}]', entry('by text'))
    expect(index.get([{ id: 1 }], '[{"id":1}]')?.key).toBe('by text')
  })

  it('never keeps a long string argument: its memory is bounded by count and size, as the key memo is', () => {
    const index = new ArgsIndex()
    const prompt = 'summarise: '.padEnd(100_000, 'x')
    index.set([prompt], undefined, entry('long'))
    index.set(['short', 1], undefined, entry('short'))
    expect(index.get([prompt], undefined)).toBeUndefined()
    expect(index.get(['short', 1], undefined)?.key).toBe('short')
  })

  it('starts over once full, so it never holds more than its bound', () => {
    const index = new ArgsIndex(3, 2)
    for (let i = 0; i < 3; i++) index.set([i], undefined, entry(`n${i}`))
    expect(index.get([0], undefined)?.key).toBe('n0')
    index.set([3], undefined, entry('n3')) // the fourth: everything before is dropped
    expect(index.get([0], undefined)).toBeUndefined()
    expect(index.get([3], undefined)?.key).toBe('n3')
    index.set(['a'], 'a', entry('t1'))
    index.set(['b'], 'b', entry('t2'))
    index.set(['c'], 'c', entry('t3')) // over the text bound
    expect([index.get(['a'], 'a'), index.get(['c'], 'c')?.key]).toEqual([undefined, 't3'])
  })
})

describe('ArgsIndex as the fast path of withCache', () => {
  it('never serves a copy replaced by a value too large for memory, or past a memoryTtl', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const cache = new Cache({
      tiers: [new MemoryTier({ maxEntryBytes: 100, clock }), new FileTier({ dir, clock })],
      clock,
      cleanupInterval: false,
    })
    let n = 0
    const f = withCache(async (id: string) => `${id}#${++n}`, {
      cache,
      namespace: 'ix',
      memoryTtl: 5,
      ttl: 60,
    })
    expect(await f('a')).toBe('a#1')
    expect(await f('a')).toBe('a#1') // remembered by argument now
    await cache.set(f.keyFor('a'), 'x'.repeat(500)) // too large for memory: lives on disk only
    expect(await f('a')).toBe('x'.repeat(500))
    await cache.set(f.keyFor('a'), 'small again')
    expect(await f('a')).toBe('small again')
    expect(await f('a')).toBe('small again')
    await f.invalidate('a')
    expect(await f('a')).toBe('a#2') // stored by f, with its memoryTtl of 5 s
    expect(await f('a')).toBe('a#2')
    clock.advance(5_000) // the memory copy expires; the file entry lives on
    await new FileTier({ dir, clock }).set({
      key: f.keyFor('a'),
      value: 'changed on disk',
      encoded: '"changed on disk"',
      expiresAt: clock.now() + 60_000,
    })
    expect(await f('a')).toBe('changed on disk')
    await cache.close()
  })

  it('finds object arguments by their text, in any key order, and never conflates what JSON writes alike', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    let runs = 0
    const f = withCache(async (arg: unknown) => `${typeof arg}:${++runs}`, {
      cache,
      namespace: 'ix',
    })
    const query = () => ({ videoId: 'v', opts: { fps: 30, model: 'clip' } })
    const first = await f(query())
    for (let i = 0; i < 3; i++) expect(await f(query())).toBe(first) // the second call remembers it by its text
    expect(await f({ opts: { model: 'clip', fps: 30 }, videoId: 'v' })).toBe(first)
    expect(runs).toBe(1)
    // Each pair shares a JSON text; the first of each is remembered (called twice), then the second must miss.
    const pairs: [unknown, unknown][] = [
      [{ d: '1970-01-01T00:00:00.000Z' }, { d: new Date(0) }],
      [{ a: null }, { a: NaN }],
      [{ b: 1 }, { a: undefined, b: 1 }], // same data: this pair shares a key too
      [{ m: {} }, { m: new Map() }],
    ]
    for (const [plain, other] of pairs) {
      const stored = await f(plain)
      expect(await f(plain)).toBe(stored)
      const otherRuns = runs
      await f(other)
      expect(runs - otherRuns).toBe(f.keyFor(plain) === f.keyFor(other) ? 0 : 1)
    }
    // An argument changed after the call is a new question, not the remembered one.
    const mutable = { videoId: 'w', opts: { fps: 24, model: 'clip' } }
    const before = await f(mutable)
    expect(await f(mutable)).toBe(before)
    mutable.opts.fps = 25
    expect(await f(mutable)).not.toBe(before)
    await cache.close()
  })

  it('large object arguments still hit (by key, not remembered by text)', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    let runs = 0
    const f = withCache(async (q: { ids: number[] }) => (runs++, q.ids.length), {
      cache,
      namespace: 'big',
    })
    const query = () => ({ ids: Array.from({ length: 1_000 }, (_, i) => i) })
    for (let i = 0; i < 3; i++) expect(await f(query())).toBe(1_000)
    expect(runs).toBe(1)
    await cache.close()
  })

  it('keeps calls that differ only in argument count or in a trailing undefined apart', async () => {
    const cache = new Cache({ tiers: [new MemoryTier()], cleanupInterval: false })
    const f = withCache(async (...args: unknown[]) => args.length, { cache, namespace: 'ix' })
    for (let round = 0; round < 2; round++) {
      expect(await f()).toBe(0)
      expect(await f(undefined)).toBe(1)
      expect(await f(undefined, undefined)).toBe(2)
    }
    await cache.close()
  })
})
