import { fromParsed } from '../../src/core/codec'
import { encodeForStorage } from '../../src/storage/stored-entry'

describe('encodeForStorage', () => {
  it('gives the codec`s text and attachments, which decode back to the value', () => {
    const value = { id: 1, at: new Date(0), bytes: new Uint8Array(100_000) }
    const { text, attachments } = encodeForStorage('k', value)
    expect(typeof text).toBe('string')
    expect(fromParsed(JSON.parse(text), attachments)).toEqual(value)
  })

  it('a value the codec refuses is a SerializationError naming the key, shortened', () => {
    const key = 'k'.repeat(200)
    let caught: unknown
    try {
      encodeForStorage(key, { f: () => 1 })
    } catch (err) {
      caught = err
    }
    expect(caught).toMatchObject({ code: 'E_SERIALIZATION', key })
    expect((caught as Error).message).toMatch(/^\[tiercache\] cannot store "k{77}\.\.\.": /)
    expect((caught as Error).message).not.toMatch(/: \[tiercache\]/)
  })
})
