import { encodeParts } from '../../src/core/codec'
import { revive } from '../../src/core/codec-revive'
import { HOLE_TAG, TAG } from '../../src/core/codec-tags'

/** What the decoder hands `revive`: the parsed `v` of the tagged root, and the attachments. */
function parsedParts(value: unknown, attachFrom = Infinity) {
  const { text, attachments } = encodeParts(value, attachFrom)
  const parsed = JSON.parse(text) as { v: unknown }
  return { tree: parsed[TAG as 'v'] === '~' ? parsed.v : parsed, attachments }
}

describe('revive', () => {
  it('returns primitives and untagged trees as they are, reusing arrays and objects in place', () => {
    expect(revive(42, [])).toBe(42)
    expect(revive(null, [])).toBeNull()
    const tree = { a: [1, { b: 'c' }] }
    expect(revive(tree, [])).toBe(tree)
    expect(tree).toEqual({ a: [1, { b: 'c' }] })
  })

  it('revives tags at every depth: children before their parents', () => {
    const value = {
      at: new Date(5),
      nested: [new Map<unknown, unknown>([[new Date(1), new Set([10n, undefined])]])],
      n: -0,
    }
    const { tree, attachments } = parsedParts(value)
    const back = revive(tree, attachments) as typeof value
    expect(back.at).toEqual(new Date(5))
    const [[key, set]] = [...back.nested[0]!] as [[Date, Set<unknown>]]
    expect(key).toEqual(new Date(1))
    expect([...set]).toEqual([10n, undefined])
    expect(Object.is(back.n, -0)).toBe(true)
  })

  it('keeps holes in arrays as holes, not undefined', () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    const { tree, attachments } = parsedParts([1, , 3])
    const back = revive(tree, attachments) as unknown[]
    expect(back).toHaveLength(3)
    expect(1 in back).toBe(false)
  })

  it('refuses a hole outside an array, and a tag it does not know', () => {
    expect(() => revive({ x: { [TAG]: HOLE_TAG } }, [])).toThrow(SyntaxError)
    expect(() => revive({ [TAG]: HOLE_TAG }, [])).toThrow(SyntaxError)
    expect(() => revive({ x: { [TAG]: 'Future', v: 1 } }, [])).toThrow(/unknown tag Future/)
  })

  it('takes large byte arrays from the attachments, and refuses a missing one', () => {
    const bytes = new Float64Array(20_000).fill(1.5)
    const { tree, attachments } = parsedParts({ bytes }, 1_000)
    expect(attachments).toHaveLength(1)
    const back = revive(tree, attachments) as { bytes: Float64Array }
    expect(back.bytes).toBeInstanceOf(Float64Array)
    expect(back.bytes).toEqual(bytes)
    const again = parsedParts({ bytes }, 1_000).tree // revive reuses the tree it is given: a fresh one
    expect(() => revive(again, [])).toThrow(/missing attachment 0/)
  })

  it('walks without recursion: nesting far deeper than the stack allows comes back', () => {
    let tree: unknown = { [TAG]: 'Date', v: 0 }
    for (let i = 0; i < 200_000; i++) tree = [tree]
    let back = revive(tree, [])
    for (let i = 0; i < 200_000; i++) back = (back as unknown[])[0]
    expect(back).toEqual(new Date(0))
  })
})
