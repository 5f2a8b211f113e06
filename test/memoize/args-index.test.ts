import { ArgsIndex } from '../../src/memoize/args-index'
import type { Entry } from '../../src/storage/tier'

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
