import { compilePattern } from '../../src/core/pattern'
import { joinKey, keyFromBytes, scanPattern } from '../../src/redis/key-bytes'
import { HOSTILE_KEYS } from '../../src/testing/hostile-keys'

const bytesOf = (key: string | Buffer) => (typeof key === 'string' ? Buffer.from(key) : key)

describe('Redis key bytes', () => {
  it('every hostile key reads back from its bytes, and no two share bytes', () => {
    const keys = [...HOSTILE_KEYS, '\uFFFD', '\uDC00', '\uD800\uD800', 'a\uD83D', '\uD83D\uDE00']
    const seen = new Map<string, string>()
    for (const key of keys) {
      const bytes = bytesOf(joinKey('', key))
      expect(keyFromBytes(bytes)).toBe(key)
      expect(seen.get(bytes.toString('hex'))).toBeUndefined()
      seen.set(bytes.toString('hex'), key)
    }
  })

  it('well-formed keys are plain UTF-8 after the prefix, as redis-cli shows them', () => {
    expect(joinKey('tc:', 'video:42')).toBe('tc:video:42')
    expect(bytesOf(joinKey('tc:', '😀')).equals(Buffer.from('tc:😀'))).toBe(true)
  })
})

describe('scanPattern', () => {
  const pattern = (glob?: string | RegExp) =>
    scanPattern('tc:', glob === undefined ? undefined : compilePattern(glob)).toString()

  it("escapes Redis's special characters in the prefix and the glob's literal text", () => {
    expect(pattern('a[1]*')).toBe('tc:a\\[1\\]*')
    expect(pattern('back\\*')).toBe('tc:back\\\\*')
    expect(pattern('^x*')).toBe('tc:\\^x*')
    expect(scanPattern('t[c]:', compilePattern('k*')).toString()).toBe('t\\[c\\]:k*')
  })

  it('turns each run of wildcards into one *, since Redis ? is one byte and not one character', () => {
    expect(pattern('a?b')).toBe('tc:a*b')
    expect(pattern('a*?**b')).toBe('tc:a*b')
  })

  it('falls back to the literal prefix, or everything, when there is no glob', () => {
    expect(pattern(/^video_\d+$/)).toBe('tc:*')
    expect(pattern()).toBe('tc:*')
    const prefixOnly = Object.assign(() => true, { prefix: 'a[' })
    expect(scanPattern('tc:', prefixOnly).toString()).toBe('tc:a\\[*')
  })
})
