import { createHash } from 'node:crypto'
import {
  ENTRY_SUFFIX,
  expiryToMtime,
  fileNamePrefix,
  fileNameToKey,
  isTempFileName,
  keyToFileName,
  mtimeExpired,
  tempFileName,
} from '../../../src/storage/tiers/file-layout'
import { HOSTILE_KEYS, keyLabel } from '../../../src/testing/hostile-keys'

/** mulberry32: a tiny seeded PRNG, so a failing fuzz case can be replayed from the seed in the test title. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const SEED = 20_240_601
const POOLS = [
  'abcxyz0189_-', // plain
  'ABCXYZ', // escaped as ^a
  './\\:%^@=~!*\'()[]{}<>|?"# \t\n\u0000\u007f', // separators, escapes, controls
  'éßÆ中文ñ\u200b\uffff', // BMP
  '😀🎬👩‍💻𝄞', // astral (surrogate pairs)
  '\uD800\uDFFF', // lone surrogates
]

/** A random key, usually short; sometimes long enough to need a hashed name. */
function randomKey(random: () => number): string {
  const length = random() < 0.05 ? 200 + Math.floor(random() * 200) : 1 + Math.floor(random() * 24)
  let key = ''
  while (key.length < length) {
    const pool = [
      ...POOLS[Math.floor(random() * (random() < 0.97 ? POOLS.length - 1 : POOLS.length))]!,
    ]
    key += pool[Math.floor(random() * pool.length)]
  }
  return key
}

const isHashed = (name: string) => name.startsWith('=')
const sha = (key: string) => createHash('sha256').update(key).digest('hex')

/** The properties every key's name must have, whatever the key. */
function checkName(key: string): void {
  const name = keyToFileName(key)
  expect(name.endsWith(ENTRY_SUFFIX)).toBe(true)
  expect(name).toMatch(/^[a-z0-9_\-^@%A-F=]+\.json$/) // no separator, dot, NUL or other path syntax
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255)
  if (isHashed(name)) {
    expect(name).toBe(`=${sha(key)}.json`)
    expect(fileNameToKey(name)).toBeNull() // the key lives only inside the file
  } else {
    expect(fileNameToKey(name)).toBe(key)
  }
}

describe('file layout', () => {
  it.each(HOSTILE_KEYS.map((key) => [keyLabel(key), key]))(
    'maps %s to a safe name and back',
    (_label, key) => {
      checkName(key)
    },
  )

  it('maps short well-formed keys reversibly, and only too-long or ill-formed keys to hashes', () => {
    for (const key of ['video_42', 'Video:42', 'a b', 'é', '😀', '.', '%', '^', '@', '=']) {
      expect(fileNameToKey(keyToFileName(key))).toBe(key)
    }
    expect(isHashed(keyToFileName('x'.repeat(1_000)))).toBe(true)
    expect(isHashed(keyToFileName('ok\uD800'))).toBe(true)
    expect(isHashed(keyToFileName('x'.repeat(250)))).toBe(false)
  })

  it(`fuzz: 2000 random keys map to safe names and back (seed ${SEED})`, () => {
    const random = prng(SEED)
    const keys = new Set(Array.from({ length: 2_000 }, () => randomKey(random)))
    expect(keys.size).toBeGreaterThan(1_900)
    const byFoldedName = new Map<string, string>()
    let reversible = 0
    for (const key of keys) {
      checkName(key)
      const name = keyToFileName(key)
      if (!isHashed(name)) reversible++
      // Distinct keys get names that stay distinct on a case-insensitive file system.
      const folded = name.toLowerCase()
      expect(byFoldedName.get(folded) ?? key).toBe(key)
      byFoldedName.set(folded, key)
    }
    expect(reversible).toBeGreaterThan(keys.size / 2) // the fuzz mostly exercises the escaping, not the hash
  })

  it('escapes prefixes as it escapes keys, so a name prefix selects the same keys', () => {
    const random = prng(SEED + 1)
    for (let i = 0; i < 500; i++) {
      const key = randomKey(random)
      const cut = [...key].slice(0, Math.floor(random() * 6)).join('')
      const prefix = fileNamePrefix(cut)
      const name = keyToFileName(key)
      if (prefix === undefined) expect(cut.isWellFormed()).toBe(false)
      else if (!isHashed(name)) expect(name.startsWith(prefix)).toBe(true)
    }
    expect(fileNamePrefix('')).toBe('')
  })

  it.each([
    ['an upper-case letter, which is always escaped', 'A.json'],
    ['an escaped plain character', '%61.json'],
    ['lower-case hex', 'a%2fb.json'],
    ['a broken escape', 'a%2Fb%.json'],
    ['a non-hex escape', '%ZZ.json'],
    ['the UTF-8 of a lone surrogate', '%ED%A0%80.json'],
    ['a caret before an upper-case letter', '^A.json'],
    ['a lone caret', '^.json'],
    ['a dot', 'a.b.json'],
    ['an empty stem', '.json'],
    ['another suffix', 'video_42.txt'],
    ['no suffix', 'video_42'],
    ['a short hash', '=abc.json'],
    ['an upper-case hash', `=${'A'.repeat(64)}.json`],
    [
      'a plain name longer than the limit (its canonical name is a hash)',
      `${'x'.repeat(251)}.json`,
    ],
  ])('reads a name with %s as foreign', (_why, name) => {
    expect(fileNameToKey(name)).toBeUndefined()
  })

  it('stores expiry as a mtime, with "never" as a far-future time', () => {
    const expiresAt = 1_700_000_000_123
    expect(expiryToMtime(expiresAt) * 1_000).toBeCloseTo(expiresAt, 3)
    const never = expiryToMtime(Infinity) * 1_000
    expect(Number.isFinite(never)).toBe(true)
    expect(mtimeExpired(expiresAt, expiresAt)).toBe(true)
    expect(mtimeExpired(expiresAt, expiresAt - 1)).toBe(false)
    expect(mtimeExpired(never, never + 1)).toBe(false) // "never" stays never, whatever the time
  })

  it('temp file names are recognised, and nothing else in the temp folder is', () => {
    expect(isTempFileName(tempFileName('12345-deadbeef', 0))).toBe(true)
    expect(isTempFileName(tempFileName(`${process.pid}-0badf00d`, 99_999))).toBe(true)
    for (const name of [
      'notes.txt',
      'x.json',
      '12345-deadbeef',
      '1-DEADBEEF-0',
      '../1-deadbeef-0',
      '1-deadbeef-0.json',
      '',
    ])
      expect(isTempFileName(name)).toBe(false)
    for (const key of HOSTILE_KEYS) expect(isTempFileName(keyToFileName(key))).toBe(false)
  })
})
