import { ClearBarrier } from '../../src/storage/clear-barrier'
import { gate } from '../helpers/gate'

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('ClearBarrier', () => {
  it('runs a write at once when no clear is under way', async () => {
    const barrier = new ClearBarrier()
    const order: string[] = []
    const written = barrier.write(async () => (order.push('write'), 1))
    expect(order).toEqual(['write'])
    expect(await written).toBe(1)
  })

  it('a clear waits for the writes under way, and a write started during the clear waits for it', async () => {
    const barrier = new ClearBarrier()
    const order: string[] = []
    const first = gate()
    const clearing = gate()
    const earlier = barrier.write(async () => {
      await first.promise
      order.push('earlier write')
    })
    const cleared = barrier.clear(async () => {
      order.push('clear starts')
      await clearing.promise
      order.push('clear ends')
    })
    const later = barrier.write(async () => void order.push('later write'))
    await tick()
    expect(order).toEqual([])
    first.open()
    await tick()
    expect(order).toEqual(['earlier write', 'clear starts'])
    clearing.open()
    await Promise.all([earlier, cleared, later])
    expect(order).toEqual(['earlier write', 'clear starts', 'clear ends', 'later write'])
  })

  it('a failed write or clear holds nothing up and reaches its own caller only', async () => {
    const barrier = new ClearBarrier()
    const failedWrite = barrier.write(() => Promise.reject(new Error('disk full')))
    const failedClear = barrier.clear(() => Promise.reject(new Error('EACCES')))
    const next = barrier.write(async () => 'written')
    await expect(failedWrite).rejects.toThrow('disk full')
    await expect(failedClear).rejects.toThrow('EACCES')
    expect(await next).toBe('written')
    expect(await barrier.clear(async () => 0)).toBe(0)
  })

  it('a write waits for every clear under way, not only the last one', async () => {
    const barrier = new ClearBarrier()
    const order: string[] = []
    const slow = gate()
    const a = barrier.clear(async () => (await slow.promise, order.push('slow clear')))
    const b = barrier.clear(async () => void order.push('quick clear'))
    const written = barrier.write(async () => void order.push('write'))
    await b
    await tick()
    expect(order).toEqual(['quick clear'])
    slow.open()
    await Promise.all([a, written])
    expect(order).toEqual(['quick clear', 'slow clear', 'write'])
  })
})
