import { encode, encodeParts } from '../../../src/core/codec'
import type { Entry } from '../../../src/storage/tier'
import {
  entryFileParts,
  FORMAT_VERSION,
  parseEntry,
  partsLength,
  storedKey,
} from '../../../src/storage/tiers/file-format'

/** The bytes a file written for `entry` holds. */
const fileBytes = (entry: Entry) =>
  Buffer.concat(
    entryFileParts(entry).map((part) => (typeof part === 'string' ? Buffer.from(part) : part)),
  )

const textEntry = (key: string, value: unknown, extra: Partial<Entry> = {}): Entry => ({
  key,
  value,
  encoded: encode(value),
  expiresAt: 1_700_000_060_000,
  ...extra,
})

describe('the entry file format', () => {
  it('is one JSON document with the version, key, expiry and value', () => {
    const bytes = fileBytes(textEntry('video:1', { title: 'x' }))
    expect(JSON.parse(bytes.toString())).toEqual({
      v: 1, // no stale window: format 1, as 0.1.0 wrote it
      key: 'video:1',
      expiresAt: 1_700_000_060_000,
      value: { title: 'x' },
    })
  })

  it.each([
    ['a plain value', textEntry('k', { n: [1, 2.5, null], s: 'é😀' })],
    ['a never-expiring one (written as null)', textEntry('k', 'v', { expiresAt: Infinity })],
    ['one with a memoryTtl', textEntry('k', 1, { memoryTtlMs: 5_000 })],
    ['a hostile key', textEntry('../x\u0000"\\', true)],
  ])('parses back to the same entry: %s', (_label, entry) => {
    const parsed = parseEntry(fileBytes(entry), entry.key)
    expect(parsed).toEqual({ ...entry, freshUntil: entry.expiresAt })
  })

  describe('format 2 (stale windows)', () => {
    const stale = textEntry('k', { a: 1 }, { freshUntil: 1_700_000_000_000 })

    it('is written for an entry with a stale window, with the time it stops being fresh', () => {
      expect(FORMAT_VERSION).toBe(2)
      expect(JSON.parse(fileBytes(stale).toString())).toEqual({
        v: 2,
        key: 'k',
        expiresAt: 1_700_000_060_000,
        freshUntil: 1_700_000_000_000,
        value: { a: 1 },
      })
    })

    it.each([
      ['a stale window', stale],
      ['an eager refresh time', textEntry('k', 1, { refreshAt: 1_700_000_030_000 })],
      [
        'both, a memoryTtl and a never-ending stale window',
        textEntry('k', 'v', { expiresAt: Infinity, freshUntil: 5, refreshAt: 4, memoryTtlMs: 9 }),
      ],
    ])('parses back to the same entry: %s', (_label, entry) => {
      const parsed = parseEntry(fileBytes(entry), entry.key)
      expect(parsed).toEqual({ freshUntil: entry.expiresAt, ...entry })
    })

    it('keeps attachments after the document', () => {
      const { text, attachments } = encodeParts({ b: Buffer.alloc(100_000, 3) })
      const entry: Entry = {
        key: 'k',
        value: null,
        encoded: text,
        attachments,
        expiresAt: 9,
        freshUntil: 5,
      }
      const parsed = parseEntry(fileBytes(entry), 'k')
      expect(parsed?.freshUntil).toBe(5)
      expect(parsed?.attachments?.[0]?.byteLength).toBe(100_000)
    })

    it('writes format 1 when freshUntil is expiresAt, or refreshAt is not before it', () => {
      const same = textEntry('k', 1, {
        freshUntil: 1_700_000_060_000,
        refreshAt: 1_700_000_060_000,
      })
      expect(fileBytes(same).toString()).toBe(fileBytes(textEntry('k', 1)).toString())
    })

    it('reads times out of order, or not numbers, as undefined', () => {
      const text = fileBytes(stale).toString()
      for (const bad of [
        text.replace('"freshUntil":1700000000000', '"freshUntil":1700000099999'),
        text.replace('"freshUntil":1700000000000', '"freshUntil":"soon"'),
        text.replace('"freshUntil":1700000000000,', ''),
        text.replace(
          '"freshUntil":1700000000000,',
          '"freshUntil":1700000000000,"refreshAt":1700000000001,',
        ),
      ])
        expect([bad, parseEntry(Buffer.from(bad), 'k')]).toEqual([bad, undefined])
    })
  })

  it('keeps large byte arrays as raw bytes after the document, and gets them back', () => {
    const frames = Buffer.alloc(100_000, 7)
    const { text, attachments } = encodeParts({ frames })
    expect(attachments).toHaveLength(1)
    const entry: Entry = { key: 'k', value: { frames }, encoded: text, attachments, expiresAt: 1 }
    const parts = entryFileParts(entry)
    const bytes = fileBytes(entry)
    expect(partsLength(parts)).toBe(bytes.length)
    expect(bytes.subarray(bytes.length - 100_000).equals(frames)).toBe(true)
    const parsed = parseEntry(bytes, 'k')
    expect(Buffer.from((parsed!.value as { frames: Uint8Array }).frames).equals(frames)).toBe(true)
    expect(parsed!.encoded).toBe(text)
  })

  it('counts bytes, not characters, in partsLength', () => {
    expect(partsLength(['é', new Uint8Array(3)])).toBe(5)
  })

  it('reads anything that is not a whole entry of this key and format as undefined', () => {
    const whole = fileBytes(textEntry('k', { a: 1 }))
    const withBytes = (() => {
      const { text, attachments } = encodeParts({ b: Buffer.alloc(100_000) })
      return fileBytes({ key: 'k', value: null, encoded: text, attachments, expiresAt: 1 })
    })()
    const bad: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['cut short', whole.subarray(0, whole.length - 1)],
      ['attachments cut short', withBytes.subarray(0, withBytes.length - 1)],
      ['bytes after the attachments', Buffer.concat([withBytes, Buffer.from('x')])],
      ['not JSON', Buffer.from('hello')],
      ['JSON null', Buffer.from('null')],
      ['another format version', Buffer.from(whole.toString().replace('"v":1', '"v":3'))],
      ['format 2 without its times', Buffer.from(whole.toString().replace('"v":1', '"v":2'))],
      [
        'an expiry that is not a number',
        Buffer.from(whole.toString().replace(/"expiresAt":\d+/, '"expiresAt":"soon"')),
      ],
      ['no value', Buffer.from(`{"v":1,"key":"k","expiresAt":1}`)],
      [
        'valid JSON laid out otherwise',
        Buffer.from(JSON.stringify(JSON.parse(whole.toString()), null, 1)),
      ],
      [
        'an unknown tag',
        Buffer.from(`{"v":1,"key":"k","expiresAt":1,"value":{"$t":"~","v":{"$t":"Future","v":1}}}`),
      ],
    ]
    for (const [label, bytes] of bad)
      expect([label, parseEntry(bytes, 'k')]).toEqual([label, undefined])
    expect(parseEntry(whole, 'other key')).toBeUndefined()
  })

  it('storedKey reads the key a file says it holds, whatever else is wrong with it', () => {
    expect(storedKey(fileBytes(textEntry('hashed-name key', 1)))).toBe('hashed-name key')
    expect(storedKey(Buffer.from('{"v":99,"key":"k"}'))).toBe('k')
    expect(storedKey(Buffer.from('{"key":42}'))).toBeUndefined()
    expect(storedKey(Buffer.from('not json'))).toBeUndefined()
    expect(storedKey(Buffer.from('null'))).toBeUndefined()
  })
})
