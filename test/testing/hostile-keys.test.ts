import { HOSTILE_KEYS, keyLabel } from '../../src/testing/hostile-keys'

describe('HOSTILE_KEYS and keyLabel', () => {
  it('has no duplicate keys, so each names a distinct entry', () => {
    expect(new Set(HOSTILE_KEYS).size).toBe(HOSTILE_KEYS.length)
  })

  it('labels every key distinctly and briefly, so test titles are unique and readable', () => {
    const labels = HOSTILE_KEYS.map(keyLabel)
    expect(new Set(labels).size).toBe(labels.length)
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(60)
  })

  it('spells control characters and lone surrogates as escapes in the label', () => {
    expect(keyLabel('nul\u0000byte')).toBe('"nul\\u0000byte"')
    expect(keyLabel('\uD800')).toBe('"\\ud800"')
  })
})
