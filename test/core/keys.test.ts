import { checkKey, invalidKey, isValidKey, shortenKey } from '../../src/core/keys'

describe('keys', () => {
  it('a key is a non-empty string; anything else is refused with InvalidKeyError', () => {
    expect([isValidKey('k'), isValidKey(''), isValidKey(1), isValidKey(undefined)]).toEqual([
      true,
      false,
      false,
      false,
    ])
    expect(() => checkKey('k')).not.toThrow()
    expect(() => checkKey('')).toThrow(expect.objectContaining({ code: 'E_INVALID_KEY' }))
    expect(invalidKey('').message).toContain('got an empty string')
    expect(invalidKey(42).message).toContain('got number')
  })

  it('shortenKey keeps keys up to 80 characters and cuts longer ones to 80 with an ellipsis', () => {
    expect(shortenKey('k'.repeat(80))).toBe('k'.repeat(80))
    const cut = shortenKey('k'.repeat(81))
    expect(cut).toBe(`${'k'.repeat(77)}...`)
    expect(cut).toHaveLength(80)
  })
})
