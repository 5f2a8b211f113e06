import {
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomically } from '../../../src/storage/tiers/file-write'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

const options = { mode: 0o600, exactMode: false, measure: false }

describe('writeFileAtomically', () => {
  it('writes every part, in order, then renames the temp file into place', async () => {
    const dir = makeTempDir()
    const parts = ['{"text":"é"}\n', Buffer.from([0, 1, 2]), new Uint8Array(100_000).fill(9)]
    await writeFileAtomically(join(dir, 'tmp'), join(dir, 'final'), parts, options)
    const bytes = readFileSync(join(dir, 'final'))
    expect(bytes.length).toBe(Buffer.byteLength(parts[0] as string) + 3 + 100_000)
    expect(bytes.subarray(0, 14).toString()).toBe('{"text":"é"}\n')
    expect(existsSync(join(dir, 'tmp'))).toBe(false)
  })

  it('replaces an existing file whole', async () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'final'), 'old, and longer than the new content')
    await writeFileAtomically(join(dir, 'tmp'), join(dir, 'final'), ['new'], options)
    expect(readFileSync(join(dir, 'final'), 'utf8')).toBe('new')
  })

  it('stamps the mtime, sets the exact mode and measures the allocated bytes when asked', async () => {
    const dir = makeTempDir()
    const allocated = await writeFileAtomically(join(dir, 'tmp'), join(dir, 'final'), ['x'], {
      mode: 0o644,
      exactMode: true,
      measure: true,
      mtime: 2_000_000_000,
    })
    const info = statSync(join(dir, 'final'))
    expect(info.mtimeMs).toBe(2_000_000_000_000)
    expect(info.mode & 0o777).toBe(0o644)
    expect(allocated).toBeGreaterThan(0)
    expect(await writeFileAtomically(join(dir, 'tmp'), join(dir, 'final'), ['x'], options)).toBe(
      undefined,
    )
  })

  it('never opens what is already at the temp name, a symlink above all, and leaves the target untouched', async () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'victim'), 'precious')
    symlinkSync(join(dir, 'victim'), join(dir, 'tmp'))
    await expect(
      writeFileAtomically(join(dir, 'tmp'), join(dir, 'final'), ['evil'], options),
    ).rejects.toMatchObject({ code: 'EEXIST' })
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious')
    expect(existsSync(join(dir, 'final'))).toBe(false)
  })

  it('a failed rename keeps the old file and removes the temp file', async () => {
    const dir = makeTempDir()
    // The final path's parent does not exist: the rename fails after every byte was written.
    await expect(
      writeFileAtomically(join(dir, 'tmp'), join(dir, 'missing', 'final'), ['x'], options),
    ).rejects.toMatchObject({ code: 'ENOENT' })
    expect(readdirSync(dir)).toEqual([])
  })
})
