import { constants, type Stats } from 'node:fs'
import { mkdir, open, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '../../../src/core/exceptions'
import {
  allocatedBytes,
  codeOf,
  folderRefusal,
  isMissing,
  isNotRegular,
  toStorageError,
} from '../../../src/storage/tiers/file-io'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

/** The error a real file operation rejects with. */
const failure = (op: Promise<unknown>) =>
  op.then(
    () => undefined,
    (err: unknown) => err,
  )

describe('file-io', () => {
  it('codeOf reads the code of a real fs error, and nothing from what has none', async () => {
    const dir = makeTempDir()
    expect(codeOf(await failure(readFile(join(dir, 'none'))))).toBe('ENOENT')
    expect(codeOf(new Error('plain'))).toBeUndefined()
    expect(codeOf({ code: 42 })).toBeUndefined()
    expect(codeOf(null)).toBeUndefined()
    expect(codeOf(undefined)).toBeUndefined()
  })

  it('isMissing: nothing usable at the path (ENOENT, ENOTDIR, EISDIR) is a miss; other failures are not', async () => {
    const dir = makeTempDir()
    await writeFile(join(dir, 'file'), 'x')
    expect(isMissing(await failure(readFile(join(dir, 'none'))))).toBe(true)
    expect(isMissing(await failure(readFile(join(dir, 'file', 'child'))))).toBe(true)
    expect(isMissing(await failure(readFile(dir)))).toBe(true)
    expect(isMissing(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(false)
    expect(isMissing(new Error('no code'))).toBe(false)
  })

  it('isNotRegular: a symlink opened with O_NOFOLLOW, or a folder, is never an entry', async () => {
    const dir = makeTempDir()
    await writeFile(join(dir, 'target'), 'x')
    await symlink(join(dir, 'target'), join(dir, 'link'))
    const noFollow = constants.O_RDONLY | constants.O_NOFOLLOW
    expect(isNotRegular(await failure(open(join(dir, 'link'), noFollow)))).toBe(true)
    await mkdir(join(dir, 'folder'))
    expect(isNotRegular(await failure(readFile(join(dir, 'folder'))))).toBe(true)
    expect(isNotRegular(await failure(readFile(join(dir, 'none'))))).toBe(false)
  })

  it('allocatedBytes counts whole blocks, as du does: a 1-byte file takes a block', async () => {
    const dir = makeTempDir()
    await writeFile(join(dir, 'tiny'), 'x')
    const info = await stat(join(dir, 'tiny'))
    expect(allocatedBytes(info)).toBeGreaterThanOrEqual(512)
    expect(allocatedBytes(info) % 512).toBe(0)
    await writeFile(join(dir, 'empty'), '')
    expect(allocatedBytes(await stat(join(dir, 'empty')))).toBe(0)
  })

  it('allocatedBytes rounds the size up to blocks where the file system reports none', () => {
    const info = (size: number, blksize: number) => ({ size, blocks: 0, blksize }) as Stats
    expect(allocatedBytes(info(1, 4096))).toBe(4096)
    expect(allocatedBytes(info(5000, 4096))).toBe(8192)
    expect(allocatedBytes(info(5000, 0))).toBe(8192) // no block size either: 4 KiB
  })

  it('toStorageError names the tier, action and key, and keeps the cause', async () => {
    const cause = await failure(readFile(join(makeTempDir(), 'none')))
    const error = toStorageError('get', 'video:1', cause)
    expect(error).toBeInstanceOf(StorageError)
    expect(error).toMatchObject({ tier: 'file', key: 'video:1', cause, code: 'E_STORAGE' })
    expect(error.message).toMatch(/file/)
    expect(error.message).toMatch(/video:1/)
  })

  it('toStorageError passes a StorageError through, and reports a folder refusal by its reason', () => {
    const storage = new StorageError('already wrapped', { tier: 'file' })
    expect(toStorageError('set', 'k', storage)).toBe(storage)
    const refusal = folderRefusal('the folder /x is not ours: pass another cacheDir')
    expect(codeOf(refusal)).toBe('ERR_TIERCACHE_FOLDER_REFUSED')
    const error = toStorageError('set', undefined, refusal)
    expect(error.message).toContain('the folder /x is not ours: pass another cacheDir')
    expect(error.message).not.toContain('ERR_TIERCACHE_FOLDER_REFUSED')
    expect(error.cause).toBe(refusal)
  })
})
