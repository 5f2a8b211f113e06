import fc from 'fast-check'
import { TopN } from '../../src/cli/top-n'

describe('TopN', () => {
  it('keeps exactly the N greatest items of any stream, greatest first', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 0, max: 20 }), (items, limit) => {
        const top = new TopN<number>(limit, (a, b) => a - b)
        for (const item of items) top.push(item)
        expect(top.sorted()).toEqual([...items].sort((a, b) => b - a).slice(0, limit))
      }),
    )
  })

  it('holds no more than N items however long the stream', () => {
    const top = new TopN<number>(3, (a, b) => a - b)
    for (let i = 0; i < 10_000; i++) top.push(i)
    expect(top.sorted()).toEqual([9999, 9998, 9997])
  })
})
