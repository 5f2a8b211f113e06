import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { encode } from '../../../src/core/codec'
import { entryFileParts } from '../../../src/storage/tiers/file-format'
import {
  expiryToMtime,
  isTempFileName,
  keyToFileName,
  tempFileName,
} from '../../../src/storage/tiers/file-layout'
import {
  isDeadEntry,
  removeEntryName,
  sweepStaleTemps,
} from '../../../src/storage/tiers/file-prune'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

const NOW = Date.now()

/** Writes an entry file for `key` as the tier does, without the mtime stamp unless `stamp`. */
function writeEntry(dir: string, key: string, expiresAt: number, stamp = false): string {
  const name = keyToFileName(key)
  const value = { key }
  writeFileSync(
    join(dir, name),
    entryFileParts({ key, value, encoded: encode(value), expiresAt }).join(''),
  )
  if (stamp) utimesSync(join(dir, name), expiryToMtime(expiresAt), expiryToMtime(expiresAt))
  return name
}

describe('isDeadEntry', () => {
  it('a stamped file is judged by its mtime alone', async () => {
    const dir = makeTempDir()
    const live = writeEntry(dir, 'live', NOW + 3_600_000, true)
    const dead = writeEntry(dir, 'dead', NOW - 3_600_000, true)
    writeFileSync(join(dir, live), 'garbage that a read would reject') // mtime decides, not content
    utimesSync(join(dir, live), expiryToMtime(NOW + 3_600_000), expiryToMtime(NOW + 3_600_000))
    expect(await isDeadEntry(dir, live, NOW)).toBe(false)
    expect(await isDeadEntry(dir, dead, NOW)).toBe(true)
  })

  it('an unstamped file is judged by its content: live, expired, or not an entry of its name', async () => {
    const dir = makeTempDir()
    expect(await isDeadEntry(dir, writeEntry(dir, 'live', NOW + 60_000), NOW)).toBe(false)
    expect(await isDeadEntry(dir, writeEntry(dir, 'forever', Infinity), NOW)).toBe(false)
    expect(await isDeadEntry(dir, writeEntry(dir, 'expired', NOW - 1), NOW)).toBe(true)
    expect(await isDeadEntry(dir, writeEntry(dir, 'edge', NOW), NOW)).toBe(true)
    writeFileSync(join(dir, keyToFileName('garbage')), '{"v":1,')
    expect(await isDeadEntry(dir, keyToFileName('garbage'), NOW)).toBe(true)
    // Another key's entry under this name (copied by hand): foreign.
    writeFileSync(join(dir, keyToFileName('mine')), readFileSync(join(dir, keyToFileName('live'))))
    expect(await isDeadEntry(dir, keyToFileName('mine'), NOW)).toBe(true)
  })

  it('a hashed name is live only if the key stored in the file hashes to it', async () => {
    const dir = makeTempDir()
    const longKey = 'x'.repeat(300)
    const name = writeEntry(dir, longKey, NOW + 60_000)
    expect(await isDeadEntry(dir, name, NOW)).toBe(false)
    const other = keyToFileName('y'.repeat(300))
    writeFileSync(join(dir, other), readFileSync(join(dir, name)))
    expect(await isDeadEntry(dir, other, NOW)).toBe(true)
  })

  it('anything that is not a regular file under an entry name is dead; a name gone meanwhile is not', async () => {
    const dir = makeTempDir()
    const target = writeEntry(dir, 'target', NOW + 60_000)
    symlinkSync(join(dir, target), join(dir, keyToFileName('link')))
    mkdirSync(join(dir, keyToFileName('folder')))
    expect(await isDeadEntry(dir, keyToFileName('link'), NOW)).toBe(true)
    expect(await isDeadEntry(dir, keyToFileName('folder'), NOW)).toBe(true)
    expect(await isDeadEntry(dir, keyToFileName('never-written'), NOW)).toBe(false)
  })
})

describe('removeEntryName', () => {
  it('unlinks a file or a symlink (never its target), and reports a missing name as false', async () => {
    const dir = makeTempDir()
    const target = writeEntry(dir, 'target', NOW + 60_000)
    symlinkSync(join(dir, target), join(dir, 'link.json'))
    expect(await removeEntryName(dir, 'link.json')).toBe(true)
    expect(existsSync(join(dir, target))).toBe(true)
    expect(await removeEntryName(dir, target)).toBe(true)
    expect(await removeEntryName(dir, target)).toBe(false)
  })

  it('removes an empty folder squatting on the name only when asked, and never a full one', async () => {
    const dir = makeTempDir()
    mkdirSync(join(dir, 'empty.json'))
    mkdirSync(join(dir, 'full.json'))
    writeFileSync(join(dir, 'full.json', 'inside'), 'x')
    expect(await removeEntryName(dir, 'empty.json')).toBe(false)
    expect(existsSync(join(dir, 'empty.json'))).toBe(true)
    expect(await removeEntryName(dir, 'empty.json', true)).toBe(true)
    expect(await removeEntryName(dir, 'full.json', true)).toBe(false)
    expect(readdirSync(join(dir, 'full.json'))).toEqual(['inside'])
  })
})

describe('sweepStaleTemps', () => {
  it('removes temp files unchanged for 10 minutes, and nothing else', async () => {
    const tmp = makeTempDir()
    const temp = tempFileName(`${process.pid}-0123abcd`, 7)
    expect(isTempFileName(temp)).toBe(true)
    writeFileSync(join(tmp, temp), 'half a write')
    writeFileSync(join(tmp, 'not-a-temp-name'), 'someone else’s')
    await sweepStaleTemps(tmp, Date.now()) // fresh: a write may be under way
    expect(readdirSync(tmp).sort()).toEqual([temp, 'not-a-temp-name'].sort())
    await sweepStaleTemps(tmp, Date.now() + 11 * 60_000)
    expect(readdirSync(tmp)).toEqual(['not-a-temp-name'])
  })

  it('a missing temp folder is nothing to sweep', async () => {
    await expect(sweepStaleTemps(join(makeTempDir(), 'none'), Date.now())).resolves.toBeUndefined()
  })
})
