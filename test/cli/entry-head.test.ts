import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeParts } from '../../src/core/codec'
import { isFault, parseHeader, readEntryHead } from '../../src/cli/entry-head'
import { FileTier } from '../../src/storage/tiers/file'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

async function written(
  key: string,
  value: unknown,
  expiresAt = 1_900_000_000_000,
): Promise<string> {
  const dir = makeTempDir()
  const { text, attachments } = encodeParts(value)
  await new FileTier({ dir }).set({ key, value, encoded: text, attachments, expiresAt })
  return dir
}

describe('readEntryHead', () => {
  it('reads key, expiry, format and size of an entry written by FileTier', async () => {
    const dir = await written('video:describe:v2:abc', { a: 1 })
    const name = keyToFileName('video:describe:v2:abc')
    const head = readEntryHead(dir, name)
    expect(head).toMatchObject({
      key: 'video:describe:v2:abc',
      format: 1,
      expiresAt: 1_900_000_000_000,
    })
    expect(head).toMatchObject({ bytes: readFileSync(join(dir, name)).length })
  })

  it('never needs the value: a file whose value is garbage still has its head', async () => {
    const dir = await written('k:v1:x', Buffer.alloc(4 << 20, 1))
    const name = keyToFileName('k:v1:x')
    const bytes = readFileSync(join(dir, name))
    bytes.fill(0xff, 200) // every byte after the header
    writeFileSync(join(dir, name), bytes)
    expect(readEntryHead(dir, name)).toMatchObject({ key: 'k:v1:x', bytes: bytes.length })
  })

  it('reads headers longer than the first read: a 10 kB key, under its hashed name', async () => {
    const key = `long:v1:${'é"value":'.repeat(1200)}`
    const dir = await written(key, 'v', Infinity)
    expect(readEntryHead(dir, keyToFileName(key))).toMatchObject({ key, expiresAt: Infinity })
  })

  it("a later format's fields come through (freshUntil), an unknown format is a fault", () => {
    expect(parseHeader('{"v":1,"key":"k","expiresAt":5,"freshUntil":3,"value":{"x":')).toEqual({
      v: 1,
      key: 'k',
      expiresAt: 5,
      freshUntil: 3,
    })
    const dir = makeTempDir()
    writeFileSync(join(dir, 'k.json'), '{"v":99,"key":"k","expiresAt":5,"value":1}')
    expect(readEntryHead(dir, 'k.json')).toMatchObject({
      fault: 'corrupt',
      reason: 'unknown format 99',
    })
  })

  it('a file holding another key, a symlink and an empty file are faults, never entries', () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'a.json'), '{"v":1,"key":"b","expiresAt":5,"value":1}')
    writeFileSync(join(dir, 'c.json'), '')
    writeFileSync(join(dir, 'target'), '{"v":1,"key":"d","expiresAt":5,"value":1}')
    symlinkSync(join(dir, 'target'), join(dir, 'd.json'))
    const faults = ['a.json', 'c.json', 'd.json'].map((n) => readEntryHead(dir, n)!)
    expect(faults.every(isFault)).toBe(true)
    expect(faults.map((f) => (isFault(f) ? f.fault : ''))).toEqual([
      'corrupt',
      'corrupt',
      'not a file',
    ])
    expect(readEntryHead(dir, 'gone.json')).toBeUndefined()
  })
})
