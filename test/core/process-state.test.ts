import { processState } from '../../src/core/process-state'

describe('processState', () => {
  const unique = () => `test-${Math.random().toString(36).slice(2)}`

  it('creates the state once and hands every later caller that same object', () => {
    const name = unique()
    let creations = 0
    const first = processState(name, 1, () => ({ n: ++creations }))
    const second = processState(name, 1, () => ({ n: ++creations }))
    expect(second).toBe(first)
    expect(creations).toBe(1)
  })

  it('lives on globalThis under Symbol.for, where another copy of the library finds it', () => {
    const name = unique()
    const state = processState(name, 3, () => ({ shared: true }))
    expect((globalThis as Record<symbol, unknown>)[Symbol.for(`tiercache.${name}.v3`)]).toBe(state)
  })

  it('stays out of the way of code that walks globalThis: the slot is not enumerable', () => {
    const name = unique()
    processState(name, 1, () => ({}))
    const slot = Symbol.for(`tiercache.${name}.v1`)
    expect(Object.getOwnPropertyDescriptor(globalThis, slot)?.enumerable).toBe(false)
    expect(Object.getOwnPropertySymbols({ ...globalThis })).not.toContain(slot)
  })

  it('keeps versions apart, so copies that disagree on the shape never share a slot', () => {
    const name = unique()
    const v1 = processState(name, 1, () => ({ shape: 'old' }))
    const v2 = processState(name, 2, () => ({ shape: 'new' }))
    expect(v1).toEqual({ shape: 'old' })
    expect(v2).toEqual({ shape: 'new' })
  })
})
