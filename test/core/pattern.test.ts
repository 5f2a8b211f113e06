import { compilePattern } from '../../src/core/pattern'

/** The keys of `keys` that `pattern` matches. */
const matching = (pattern: string | RegExp, keys: string[]) => keys.filter(compilePattern(pattern))

describe('compilePattern', () => {
  describe('globs', () => {
    it('* matches any run of characters, including none, slashes and newlines', () => {
      expect(
        matching('video_*', [
          'video_',
          'video_1',
          'video_1/frames',
          'video_\nx',
          'xvideo_1',
          'video',
        ]),
      ).toEqual(['video_', 'video_1', 'video_1/frames', 'video_\nx'])
      expect(matching('*_analysis', ['v2_video_1_analysis', '_analysis', 'analysis'])).toEqual([
        'v2_video_1_analysis',
        '_analysis',
      ])
      expect(matching('*', ['a', '', 'long key'])).toEqual(['a', '', 'long key'])
    })

    it('? matches exactly one character', () => {
      expect(matching('video_?', ['video_1', 'video_', 'video_12', 'video_\n'])).toEqual([
        'video_1',
        'video_\n',
      ])
    })

    it('? matches one character even outside the Basic Multilingual Plane (an emoji)', () => {
      expect(matching('clip_?', ['clip_😀', 'clip_é', 'clip_😀😀'])).toEqual(['clip_😀', 'clip_é'])
      expect(matching('a?b', ['a😀b'])).toEqual(['a😀b'])
      expect(matching('\uD800?*', ['\uD800\uD800', '\uD800x', 'x'])).toEqual([
        '\uD800\uD800',
        '\uD800x',
      ]) // lone surrogates too
    })

    it('matches the whole key, never a part of it', () => {
      expect(matching('a*b', ['ab', 'a-b', 'xab', 'abx'])).toEqual(['ab', 'a-b'])
    })

    it.each(['a.b', 'a+b', '(x)', '[ab]', 'x{2}', '^a$', 'a|b', 'a\\b', 'a/b', 'a-b', '$t', 'é😀'])(
      'treats RegExp syntax in %p literally',
      (literal) => {
        const decoys = [literal.replace(/[^a-z]/g, 'z'), `${literal}x`, 'aab', 'xx', 'a', 'b', '']
        expect(matching(`${literal}*`, [literal, `${literal}suffix`, ...decoys])).toEqual([
          literal,
          `${literal}suffix`,
          `${literal}x`,
        ])
        expect(matching(literal, [literal, ...decoys])).toEqual([literal])
      },
    )

    it('reports the literal prefix before the first wildcard', () => {
      expect(compilePattern('video_*_x?').prefix).toBe('video_')
      expect(compilePattern('?abc').prefix).toBe('')
      expect(compilePattern('*').prefix).toBe('')
    })

    it('carries the glob it was compiled from, so a server can narrow the candidates', () => {
      expect(compilePattern('video_*_x?').glob).toBe('video_*_x?')
      expect(compilePattern('a[1]*').glob).toBe('a[1]*')
      expect(compilePattern('video_42').glob).toBe('video_42')
      expect(compilePattern(/video/).glob).toBeUndefined()
    })
  })

  describe('exact keys', () => {
    it('a pattern without wildcards names one key, which is also its prefix', () => {
      const match = compilePattern('video_42')
      expect(match.exact).toBe('video_42')
      expect(match.prefix).toBe('video_42')
      expect(matching('video_42', ['video_42', 'video_420', 'Video_42'])).toEqual(['video_42'])
    })

    it('a glob has no exact key', () => {
      expect(compilePattern('video_*').exact).toBeUndefined()
      expect(compilePattern(/video/).exact).toBeUndefined()
    })
  })

  describe('RegExps', () => {
    it('are used as given, with no implied anchors', () => {
      expect(matching(/_4\d$/, ['video_42', 'video_4', 'x_49'])).toEqual(['video_42', 'x_49'])
      expect(compilePattern(/x/).prefix).toBe('')
    })

    it('keep their flags', () => {
      expect(matching(/^video/i, ['VIDEO_1', 'video_2', 'audio'])).toEqual(['VIDEO_1', 'video_2'])
    })

    it('a global or sticky RegExp gives the same answer on every call', () => {
      for (const re of [/video/g, /video/y, /video/gy]) {
        const match = compilePattern(re)
        expect([match('video'), match('video'), match('video'), match('video')]).toEqual([
          true,
          true,
          true,
          true,
        ])
      }
    })

    it("does not change the caller's RegExp", () => {
      const re = /video/g
      compilePattern(re)('video')
      expect(re.lastIndex).toBe(0)
      expect(re.flags).toBe('g')
    })
  })

  it.each([[''], [undefined], [42], [null]])('rejects %p with a TypeError', (pattern) => {
    expect(() => compilePattern(pattern as string)).toThrow(TypeError)
  })
})
