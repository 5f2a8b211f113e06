import { KeyedLock } from '../../src/core/keyed-lock'
import { gate } from '../helpers/gate'

describe('KeyedLock', () => {
  it('runs work for one key one at a time, in call order, and other keys alongside', async () => {
    const lock = new KeyedLock()
    const held = gate()
    const log: string[] = []
    const first = lock.run('a', async () => {
      log.push('a1 start')
      await held.promise
      log.push('a1 end')
    })
    const second = lock.run('a', async () => void log.push('a2'))
    const third = lock.run('a', async () => void log.push('a3'))
    await lock.run('b', async () => void log.push('b while a1 holds'))
    held.open()
    await Promise.all([first, second, third])
    expect(log).toEqual(['a1 start', 'b while a1 holds', 'a1 end', 'a2', 'a3'])
  })

  it('a failing holder releases the key, and its error reaches only its caller', async () => {
    const lock = new KeyedLock()
    const failing = lock.run('k', async () => {
      throw new Error('boom')
    })
    const next = lock.run('k', async () => 'next ran')
    await expect(failing).rejects.toThrow('boom')
    await expect(next).resolves.toBe('next ran')
  })
})
