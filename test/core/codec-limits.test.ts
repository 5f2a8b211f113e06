import {
  ATTACH_FROM_BYTES,
  ATTACHMENT_LISTING_BYTES,
  ENTRY_HEADER_ROOM,
  MAX_DEPTH,
  MAX_ENTRY_BYTES,
  MAX_VALUE_BYTES,
  decode,
  encode,
  encodeParts,
} from '../../src/core/codec'
import { SerializationError } from '../../src/core/exceptions'
import { difference } from '../helpers/same-value'

const roundTrip = (value: unknown): unknown => decode(encode(value))

describe('nesting depth', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 'leaf'
    for (let i = 0; i < depth; i++)
      value = i % 3 === 0 ? [value] : i % 3 === 1 ? { v: value } : new Map([[1, value]])
    return value
  }

  it(`values nested MAX_DEPTH (${MAX_DEPTH}) deep round-trip, one level deeper is refused`, () => {
    expect(() => encode(nested(MAX_DEPTH + 1))).toThrow(SerializationError)
    expect(() => encode(nested(MAX_DEPTH + 1))).toThrow(/nested deeper than 1000/)
    const value = nested(MAX_DEPTH)
    expect(difference(value, roundTrip(value))).toBeUndefined()
    let plain: unknown = 1
    for (let i = 0; i < MAX_DEPTH; i++) plain = [plain]
    expect(difference(plain, roundTrip(plain))).toBeUndefined()
    expect(() => encode([plain])).toThrow(SerializationError)
  })

  it('decode never runs out of stack, however deep the text and however little stack is left', () => {
    const depth = 200_000
    const text = `{"$t":"~","v":${'['.repeat(depth)}{"$t":"BigInt","v":"1"}${']'.repeat(depth)}}`
    let back = decode(text)
    for (let i = 0; i < depth; i++) back = (back as unknown[])[0]
    expect(back).toBe(1n)
    const value = nested(MAX_DEPTH)
    const encoded = encode(value)
    // Find how many frames of `descend` the stack holds, then decode with only ~100 of them to spare (a
    // few KiB): enough for a walk that does not recurse, far too little for one frame per level.
    let deepest = 0
    const descend = (n: number, stop: number): unknown => {
      deepest = n
      return n < stop ? descend(n + 1, stop) : decode(encoded)
    }
    try {
      descend(0, Infinity)
    } catch {
      // the stack ran out at depth `deepest`
    }
    expect(difference(value, descend(0, deepest - 100))).toBeUndefined()
  })
})

describe('size', () => {
  it('the largest value is what the file tier can read back, less room for the entry header', () => {
    expect(MAX_ENTRY_BYTES).toBe(2 ** 31 - 1)
    expect(MAX_VALUE_BYTES).toBe(MAX_ENTRY_BYTES - ENTRY_HEADER_ROOM)
  })

  it('a value one byte over the limit is refused; at the limit it is stored', () => {
    const bytes = Buffer.alloc(5000, 1)
    const atLimit = encodeParts({ bytes }).text.length + bytes.length + ATTACHMENT_LISTING_BYTES
    expect(encodeParts({ bytes }, ATTACH_FROM_BYTES, atLimit).attachments).toHaveLength(1)
    expect(() => encodeParts({ bytes }, ATTACH_FROM_BYTES, atLimit - 1)).toThrow(SerializationError)
    expect(() => encodeParts({ bytes }, ATTACH_FROM_BYTES, atLimit - 1)).toThrow(/larger than/)
    const text = 'é'.repeat(100) // 200 bytes of UTF-8 in 100 characters
    expect(() =>
      encodeParts(
        [text, bytes],
        ATTACH_FROM_BYTES,
        encodeParts([text, bytes]).text.length + bytes.length + ATTACHMENT_LISTING_BYTES,
      ),
    ).toThrow(SerializationError)
  })
})
