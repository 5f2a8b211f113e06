import { eachLimited } from '../../src/core/each-limited'

describe('eachLimited', () => {
  it('runs every item once, never more than the limit at a time', async () => {
    const items = Array.from({ length: 50 }, (_, i) => i)
    const seen: number[] = []
    let running = 0
    let peak = 0
    await eachLimited(
      items,
      async (item) => {
        peak = Math.max(peak, ++running)
        await new Promise((resolve) => setImmediate(resolve))
        seen.push(item)
        running--
      },
      4,
    )
    expect(seen.sort((a, b) => a - b)).toEqual(items)
    expect(peak).toBe(4)
  })

  it('rejects with the first failure of a work item', async () => {
    await expect(
      eachLimited([1, 2, 3], async (item) => {
        if (item === 2) throw new Error('item 2 failed')
      }),
    ).rejects.toThrow('item 2 failed')
  })

  it('does nothing for no items', async () => {
    let calls = 0
    await eachLimited([], async () => void calls++)
    expect(calls).toBe(0)
  })

  it('defaults to at most 32 in flight (file I/O)', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i)
    let inFlight = 0
    let most = 0
    await eachLimited(items, async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
    })
    expect(most).toBe(32)
  })
})
