import { decode, encode } from '../../src/core/codec'
import { KEPT_BUILT_INS, VIEW_TAGS } from '../../src/core/codec-tags'

describe('codec tags', () => {
  it('names each binary view by its own class, every name distinct', () => {
    for (const [prototype, tag] of VIEW_TAGS)
      expect((prototype as { constructor: { name: string } }).constructor.name).toBe(tag)
    expect(new Set(VIEW_TAGS.values()).size).toBe(VIEW_TAGS.size)
  })

  it('every tagged view decodes to a value of the same class (the decoder knows every tag)', () => {
    for (const tag of VIEW_TAGS.values()) {
      const View = (globalThis as unknown as Record<string, new (length: number) => object>)[tag]!
      const value = tag === 'DataView' ? new DataView(new ArrayBuffer(8)) : new View(4)
      expect(Object.getPrototypeOf(decode(encode(value)))).toBe(Object.getPrototypeOf(value))
    }
  })

  it('tags by exact prototype: a subclass of a view has no tag', () => {
    class Samples extends Float32Array {}
    expect(VIEW_TAGS.get(Object.getPrototypeOf(new Samples(1)))).toBeUndefined()
  })

  it('lists the built-ins whose subclasses would come back as the base type', () => {
    class Dated extends Date {}
    class Frames extends Uint8Array {}
    expect(KEPT_BUILT_INS.some((base) => new Dated() instanceof base)).toBe(true)
    expect(KEPT_BUILT_INS.some((base) => new Frames(1) instanceof base)).toBe(true)
    class Plain {}
    expect(KEPT_BUILT_INS.some((base) => new Plain() instanceof base)).toBe(false)
  })
})
