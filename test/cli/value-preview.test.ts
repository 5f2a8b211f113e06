import { previewValue, typeLabel } from '../../src/cli/value-preview'

describe('previewValue', () => {
  it('names the types JSON would lose', () => {
    expect(previewValue(new Date('2026-01-02T03:04:05Z'))).toBe('Date 2026-01-02T03:04:05.000Z')
    expect(previewValue(Buffer.alloc(1.2 * 1024 * 1024))).toBe(
      'Buffer 1.2 MiB <00 00 00 00 00 00 00 00 …>',
    )
    expect(previewValue(new Uint16Array([1, 2]))).toBe('Uint16Array 4 B <01 00 02 00>')
    expect(
      previewValue(
        new Map([
          [1, 'a'],
          [2, 'b'],
          [3, 'c'],
        ]),
      ),
    ).toBe('Map(3) { 1 => "a", 2 => "b", 3 => "c" }')
    expect(previewValue(new Set(['x']))).toBe('Set(1) { "x" }')
    expect(previewValue([10n, undefined, -0, NaN, null])).toBe(
      'Array(5) [ 10n, undefined, -0, NaN, null ]',
    )
    expect(previewValue(Object.assign(Object.create(null), { a: 1 }))).toBe(
      'Object: null prototype { a: 1 }',
    )
  })

  it('stays bounded: long strings, long arrays and deep nesting are cut, and what is left out counted', () => {
    expect(previewValue('x'.repeat(5000))).toBe(`"${'x'.repeat(120)}"… (5,000 chars)`)
    const long = previewValue(Array.from({ length: 1000 }, (_, i) => i))
    expect(long).toContain('… 988 more')
    expect(long.split('\n').length).toBeLessThan(20)
    expect(previewValue({ a: { b: { c: { d: { e: 1 } } } } })).toBe(
      '{ a: { b: { c: { d: object […] } } } }',
    )
  })

  it('writes a container too wide for one line over several, indented', () => {
    const text = previewValue({
      title: 'A fairly long video title',
      tags: ['one', 'two', 'three'],
      views: 12_345,
    })
    expect(text).toBe(
      '{\n  title: "A fairly long video title",\n  tags: Array(3) [ "one", "two", "three" ],\n  views: 12345,\n}',
    )
  })
})

describe('typeLabel', () => {
  it('names a value by its type', () => {
    expect([{}, [], new Map(), 's', 1, null, Buffer.alloc(1)].map(typeLabel)).toEqual([
      'object',
      'Array(0)',
      'Map(0)',
      'string',
      'number',
      'null',
      'Buffer',
    ])
  })
})
