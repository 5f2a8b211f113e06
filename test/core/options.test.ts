import { checkPositiveInteger } from '../../src/core/options'

describe('checkPositiveInteger', () => {
  it('accepts positive integers, and undefined for an optional option', () => {
    expect(() => checkPositiveInteger('maxBytes', 1)).not.toThrow()
    expect(() => checkPositiveInteger('maxBytes', 2 ** 40)).not.toThrow()
    expect(() => checkPositiveInteger('maxBytes', undefined)).not.toThrow()
  })

  it.each([0, -1, 1.5, NaN, Infinity, '3', null])(
    'refuses %p with a TypeError naming the option',
    (value) => {
      expect(() => checkPositiveInteger('maxEntries', value)).toThrow(
        new TypeError(`maxEntries option must be a positive integer (got ${String(value)})`),
      )
    },
  )

  it('refuses undefined for a required option', () => {
    expect(() => checkPositiveInteger('maxEntries', undefined, false)).toThrow(TypeError)
  })
})
