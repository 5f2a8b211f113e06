import { firstRejection, settleAll } from '../../src/core/settle-all'
import { gate } from '../helpers/gate'

describe('settleAll', () => {
  it('resolves with every value, in order', async () => {
    expect(await settleAll([Promise.resolve(1), Promise.resolve(2)])).toEqual([1, 2])
    expect(await settleAll([])).toEqual([])
  })

  it('waits for every promise before rejecting with the first rejection in the order given', async () => {
    const slow = gate()
    let slowDone = false
    const late = Promise.reject(new Error('second'))
    const outcome = settleAll([
      slow.promise.then(() => (slowDone = true)),
      Promise.reject(new Error('first')),
      late,
    ])
    setTimeout(() => slow.open(), 10)
    await expect(outcome).rejects.toThrow('first')
    expect(slowDone).toBe(true)
  })

  it('firstRejection is undefined when everything fulfilled', () => {
    expect(firstRejection([{ status: 'fulfilled', value: 1 }])).toBeUndefined()
    const rejected: PromiseRejectedResult = { status: 'rejected', reason: 'x' }
    expect(firstRejection([{ status: 'fulfilled', value: 1 }, rejected])).toBe(rejected)
  })
})
