import { KeyedLock } from '../../src/core/keyed-lock'
import { gate } from '../helpers/gate'

describe('KeyedLock', () => {
  it('runs work for one key one at a time, in call order', async () => {
    const lock = new KeyedLock()
    const order: string[] = []
    const first = gate()
    const a = lock.run('k', async () => {
      order.push('a start')
      await first.promise
      order.push('a end')
    })
    const b = lock.run('k', async () => order.push('b'))
    const c = lock.run('k', async () => order.push('c'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(order).toEqual(['a start'])
    first.open()
    await Promise.all([a, b, c])
    expect(order).toEqual(['a start', 'a end', 'b', 'c'])
  })

  it('different keys proceed in parallel', async () => {
    const lock = new KeyedLock()
    const held = gate()
    const slow = lock.run('a', () => held.promise)
    expect(await lock.run('b', async () => 'b ran while a was held')).toBe('b ran while a was held')
    held.open()
    await slow
  })

  it('a rejection reaches its caller and releases the key for the next one', async () => {
    const lock = new KeyedLock()
    await expect(lock.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await lock.run('k', async () => 'next')).toBe('next')
  })
})
