import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { fromParsed, encode } from '../../../src/core/codec'
import { FileTier } from '../../../src/storage/tiers/file'
import { keyToFileName } from '../../../src/storage/tiers/file-layout'
import { describeTier, makeEntry } from '../../../src/testing'
import { FakeClock } from '../../../src/testing/fake-clock'
import { HOSTILE_KEYS } from '../../../src/testing/hostile-keys'
import { listTree, makeTempDir, useTempDirs } from '../../helpers/temp-dir'
import { eventually } from '../../helpers/eventually'

useTempDirs()

const reopen = (tier: unknown, clock: FakeClock) =>
  new FileTier({ dir: (tier as FileTier).dir, clock })
const test = { describe, it, expect, beforeEach, afterEach }
describeTier({
  name: 'FileTier',
  make: (clock) => new FileTier({ dir: makeTempDir(), clock }),
  persistent: true,
  reopen,
  listsKeys: true,
  test,
})
describeTier({
  name: 'FileTier (byte-bounded)',
  make: (clock) => new FileTier({ dir: makeTempDir(), clock, maxBytes: 50_000_000 }),
  persistent: true,
  reopen,
  listsKeys: true,
  test,
})

describe('FileTier', () => {
  let dir: string
  let clock: FakeClock
  let tier: FileTier
  const later = () => clock.now() + 3_600_000
  const entryNames = () =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()

  beforeEach(() => {
    dir = makeTempDir()
    clock = new FakeClock()
    tier = new FileTier({ dir, clock })
  })

  describe('bad files read as misses and prune() removes them', () => {
    /** Plants one bad file per kind; returns key → file name. */
    const plant = async (): Promise<Record<string, string>> => {
      await tier.set(makeEntry('truncated', 'x'.repeat(500), later()))
      truncateSync(join(dir, keyToFileName('truncated')), 100)
      const other = readFileSync(join(dir, keyToFileName('truncated')), 'utf8') // any bytes will do below
      const bad: Record<string, string> = {
        truncated: keyToFileName('truncated'),
        corrupt: keyToFileName('corrupt'),
        empty: keyToFileName('empty'),
        directory: keyToFileName('directory'),
        foreign: keyToFileName('foreign'),
        'old-version': keyToFileName('old-version'),
        'not-an-object': keyToFileName('not-an-object'),
        'no-value': keyToFileName('no-value'),
        ['h'.repeat(300)]: keyToFileName('h'.repeat(300)), // a hashed name holding another key
      }
      writeFileSync(join(dir, bad.corrupt!), `{"v":1,"key":"corrupt",${other}`)
      writeFileSync(join(dir, bad.empty!), '')
      mkdirSync(join(dir, bad.directory!))
      writeFileSync(
        join(dir, bad.foreign!),
        JSON.stringify({ v: 1, key: 'someone-else', expiresAt: later(), value: 1 }),
      )
      writeFileSync(
        join(dir, bad['old-version']!),
        JSON.stringify({ v: 0, key: 'old-version', expiresAt: later(), value: 1 }),
      )
      writeFileSync(join(dir, bad['not-an-object']!), '[1,2,3]')
      writeFileSync(
        join(dir, bad['no-value']!),
        JSON.stringify({ v: 1, key: 'no-value', expiresAt: later() }),
      )
      writeFileSync(
        join(dir, bad['h'.repeat(300)]!),
        JSON.stringify({ v: 1, key: 'h'.repeat(299), expiresAt: later(), value: 1 }),
      )
      return bad
    }

    it('get() is undefined for each kind, never throws', async () => {
      const bad = await plant()
      for (const key of Object.keys(bad)) await expect(tier.get(key)).resolves.toBeUndefined()
      expect(entryNames()).toEqual([bad.directory]) // get() already removed the files it could
    })

    it('prune() removes them all, and keeps the good entries and foreign non-.json files', async () => {
      const bad = await plant()
      for (const name of ['Upper.json', 'a%2fb.json', '=nothex.json'])
        writeFileSync(join(dir, name), '{}') // names this tier never writes
      writeFileSync(join(dir, 'notes.txt'), 'not ours')
      // A tier on the wall clock: planted files have a past mtime, while real entries carry their (future) expiry.
      const wall = new FakeClock(Date.now() + 1_000)
      const pruner = new FileTier({ dir, clock: wall })
      await pruner.set(makeEntry('good', { ok: true }, wall.now() + 3_600_000))
      expect(await pruner.prune()).toBe(Object.keys(bad).length + 3)
      expect(entryNames()).toEqual([keyToFileName('good')])
      expect(existsSync(join(dir, 'notes.txt'))).toBe(true)
      expect((await pruner.get('good'))?.value).toEqual({ ok: true })
    })
  })

  it('hostile keys create, change or delete nothing outside the folder', async () => {
    const root = makeTempDir()
    const cacheDir = join(root, 'one', 'two', 'cache')
    mkdirSync(cacheDir, { recursive: true })
    writeFileSync(join(root, 'x'), 'bystander') // where '../../x' would land from two levels up
    writeFileSync(join(root, 'one', 'x'), 'bystander')
    const outside = HOSTILE_KEYS.flatMap((key) => [
      resolve(cacheDir, key),
      resolve(cacheDir, `${key}.json`),
    ]).filter(
      (path) => relative(cacheDir, path).startsWith('..') || isAbsolute(relative(cacheDir, path)), // '.' and '.tmp' resolve inside
    )
    expect(outside).toEqual(
      expect.arrayContaining([join(root, 'one', 'x'), '/etc/passwd', resolve(cacheDir, '..')]),
    )
    const stamp = (path: string) => (existsSync(path) ? statSync(path).mtimeMs : 'absent')
    const before = { tree: listTree(root, cacheDir), paths: outside.map(stamp) }

    const hostile = new FileTier({ dir: cacheDir, clock })
    for (const key of HOSTILE_KEYS) await hostile.set(makeEntry(key, key, later()))
    for (const key of HOSTILE_KEYS) expect((await hostile.get(key))?.value).toBe(key)
    expect(await hostile.clear((key) => key.includes('.'))).toBe(
      HOSTILE_KEYS.filter((key) => key.includes('.')).length,
    )
    for (const key of HOSTILE_KEYS) await hostile.delete(key)
    clock.advance(7_200_000)
    await hostile.prune()

    expect({ tree: listTree(root, cacheDir), paths: outside.map(stamp) }).toEqual(before)
    expect(readdirSync(cacheDir).sort()).toEqual(['.tmp', 'CACHEDIR.TAG'])
  })

  it('names every entry with a flat, safe file name', async () => {
    for (const key of HOSTILE_KEYS) await tier.set(makeEntry(key, 1, later()))
    const names = readdirSync(dir)
    expect(names).toHaveLength(HOSTILE_KEYS.length + 2)
    for (const name of names.filter((n) => n !== '.tmp' && n !== 'CACHEDIR.TAG')) {
      expect(name).toMatch(/^[a-zA-Z0-9_\-^@%=]+\.json$/)
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255)
      expect(statSync(join(dir, name)).isFile()).toBe(true)
    }
  })

  it('writes the documented on-disk format', async () => {
    const at = new Date(clock.now())
    const value = { title: 'clip', at, tags: new Set(['a']) }
    const expiresAt = clock.now() + 90_000
    await tier.set(makeEntry('video:42', value, expiresAt))
    const path = join(dir, 'video@42.json') // ':' is escaped as '@'
    const text = readFileSync(path, 'utf8')
    const parsed = JSON.parse(text) as Record<string, unknown>
    expect(Object.keys(parsed)).toEqual(['v', 'key', 'expiresAt', 'value'])
    expect(parsed).toMatchObject({ v: 1, key: 'video:42', expiresAt })
    expect(fromParsed(parsed.value)).toEqual(value)
    // mtime = expiry, stamped just after set() resolves (off the caller's path)
    await eventually(
      () => Math.abs(statSync(path).mtimeMs - expiresAt) < 1,
      'the mtime holds the expiry',
    )
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]) // no temp file left behind

    const long = 'L'.repeat(1_000)
    await tier.set(makeEntry(long, 1, Infinity))
    const hashed = `=${createHash('sha256').update(long).digest('hex')}.json`
    expect(JSON.parse(readFileSync(join(dir, hashed), 'utf8'))).toEqual({
      v: 1,
      key: long,
      expiresAt: null,
      value: 1,
    })
    await eventually(
      () => statSync(join(dir, hashed)).mtimeMs === Date.UTC(2100, 0, 1),
      '"never" is a far-future mtime',
    )
  })

  it('gives keys that differ only in case names that differ on a case-insensitive file system', async () => {
    const twins = [
      'A',
      'a',
      'Video_42',
      'video_42',
      'VIDEO_42',
      'ÉTÉ',
      'été',
      'x'.repeat(200) + 'Y',
      'x'.repeat(200) + 'y',
    ]
    const folded = new Set(twins.map((key) => keyToFileName(key).toLowerCase()))
    expect(folded.size).toBe(twins.length)
    for (const key of twins) await tier.set(makeEntry(key, key, later()))
    expect(entryNames()).toHaveLength(twins.length)
    for (const key of twins) expect((await tier.get(key))?.value).toBe(key)
  })

  it('prune() removes stale temp files and leaves in-progress ones', async () => {
    const wall = new FakeClock(Date.now() + 1_000)
    const pruner = new FileTier({ dir, clock: wall })
    await pruner.set(makeEntry('k', 1, wall.now() + 3_600_000)) // creates .tmp
    writeFileSync(join(dir, '.tmp', '12345-deadbeef-0'), '{"v":1,"key":"k","exp') // a writer died here
    expect(await pruner.prune()).toBe(0)
    expect(readdirSync(join(dir, '.tmp'))).toEqual(['12345-deadbeef-0']) // may still be in progress
    wall.advance(11 * 60_000)
    await pruner.prune()
    expect(readdirSync(join(dir, '.tmp'))).toEqual([])
    expect((await pruner.get('k'))?.value).toBe(1)
  })

  it('set() recreates a folder removed from under it', async () => {
    await tier.set(makeEntry('before', 1, later()))
    rmSync(dir, { recursive: true })
    await tier.set(makeEntry('after', 2, later()))
    expect((await tier.get('after'))?.value).toBe(2)
    expect(await tier.get('before')).toBeUndefined()
  })

  describe('maxBytes', () => {
    /** An entry's length (what stats() sums) and its allocated bytes on disk (what maxBytes bounds). */
    const sizeOf = async (key: string, value: string) => {
      const probe = new FileTier({ dir: makeTempDir(), clock })
      await probe.set(makeEntry(key, value, later()))
      const info = statSync(join(probe.dir, keyToFileName(key)))
      expect((await probe.stats()).bytes).toBe(info.size)
      return { size: info.size, allocated: info.blocks * 512 }
    }

    it('evicts the least recently used entries', async () => {
      const { size, allocated } = await sizeOf('k1', 'x'.repeat(1_000))
      const bounded = new FileTier({ dir, clock, maxBytes: Math.floor(allocated * 3.5) })
      for (const key of ['k1', 'k2', 'k3'])
        await bounded.set(makeEntry(key, 'x'.repeat(1_000), later()))
      expect(await bounded.get('k1')).toBeDefined() // k2 is now the least recent
      await bounded.set(makeEntry('k4', 'x'.repeat(1_000), later()))
      expect(entryNames()).toEqual(['k1', 'k3', 'k4'].map(keyToFileName).sort())
      expect(await bounded.stats()).toEqual({ entries: 3, bytes: size * 3, evictions: 1 })
    })

    it('holds the bound under concurrent writes, and evicts nothing while under it', async () => {
      const { size, allocated } = await sizeOf('k00', 'x'.repeat(900))
      // Rounds in fresh folders: each one races 40 first writes against the loading of the LRU index.
      for (let round = 0; round < 20; round++) {
        const roundDir = join(dir, `round-${round}`)
        const bounded = new FileTier({ dir: roundDir, clock, maxBytes: allocated * 10 })
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            bounded.set(makeEntry(`k0${i}`, 'x'.repeat(900), later())),
          ),
        )
        expect(await bounded.stats()).toEqual({ entries: 8, bytes: size * 8, evictions: 0 })
        const fresh = new FileTier({
          dir: join(dir, `fresh-${round}`),
          clock,
          maxBytes: allocated * 10,
        })
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            fresh.set(makeEntry(`k${10 + i}`, 'x'.repeat(900), later())),
          ),
        )
        const { bytes, entries } = await fresh.stats()
        expect(bytes).toBeLessThanOrEqual(size * 10)
        expect(entries).toBe(bytes / size)
      }
      // 20 rounds of 48 real, synced file writes: ~3 s alone on this 2-core machine, more under load.
    }, 60_000)
  })

  it.each([
    [{ dir: '' }, /^dir option/],
    [{ dir: 'x', maxBytes: 0 }, /^maxBytes option/],
    [{ dir: 'x', maxBytes: 1.5 }, /^maxBytes option/],
  ])('rejects options %p with a TypeError naming the option', (options, message) => {
    expect(() => new FileTier(options)).toThrow(TypeError)
    expect(() => new FileTier(options)).toThrow(message)
  })
})

describe('FileTier maxBytes', () => {
  /** What `du` counts for the entry files: allocated blocks, not lengths. */
  const duBytes = (dir: string) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .reduce((sum, name) => sum + statSync(join(dir, name)).blocks * 512, 0)

  it('counts allocated blocks, as du does: many tiny entries stay under the bound on disk', async () => {
    const dir = makeTempDir()
    const maxBytes = 64 * 1024
    const bounded = new FileTier({ dir, maxBytes })
    for (let i = 0; i < 200; i++)
      await bounded.set(makeEntry(`tiny-${i}`, i, Date.now() + 3_600_000))
    const used = duBytes(dir)
    expect(used).toBeGreaterThan(0)
    expect(used).toBeLessThanOrEqual(maxBytes)
    expect((await bounded.get('tiny-199'))?.value).toBe(199) // the newest stays
    // A fresh process sees the folder the same way.
    const fresh = new FileTier({ dir, maxBytes })
    for (let i = 200; i < 220; i++)
      await fresh.set(makeEntry(`tiny-${i}`, i, Date.now() + 3_600_000))
    expect(duBytes(dir)).toBeLessThanOrEqual(maxBytes)
  })
})

describe('FileTier removes an expired file without the key lock', () => {
  it('a set() racing with get() of an expired entry is never lost', async () => {
    const dir = makeTempDir()
    const clock = new FakeClock()
    const tier = new FileTier({ dir, clock })
    const entry = (value: string, ttlMs: number) => ({
      key: 'k',
      value,
      encoded: encode(value),
      expiresAt: clock.now() + ttlMs,
    })
    let lost = 0
    for (let i = 0; i < 200; i++) {
      await tier.set(entry('old', 1))
      clock.advance(2) // the file entry is now expired
      await Promise.all([tier.get('k'), tier.set(entry(`new ${i}`, 60_000))])
      if ((await tier.get('k'))?.value !== `new ${i}`) lost++
    }
    expect(lost).toBe(0)
  }, 60_000) // 200 rounds of file writes: slow on a loaded machine, and nothing here depends on speed
})
