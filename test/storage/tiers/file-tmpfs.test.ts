import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  ftruncateSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeParts } from '../../../src/core/codec'
import { Cache } from '../../../src/storage/cache'
import type { Entry } from '../../../src/storage/tier'
import { FileTier } from '../../../src/storage/tiers/file'
import { isRoot } from '../../helpers/special-files'

/**
 * Real small file systems: a tmpfs filled to the last page, and one remounted read-only. Mounting needs root
 * (CI runs as root); elsewhere these tests are skipped, which their titles say.
 */

/** Mounts a tmpfs of `size` on a new folder and returns it, or undefined when mounting is not permitted here. */
function mountTmpfs(size: string): string | undefined {
  const mnt = mkdtempSync(join(tmpdir(), 'tiercache-tmpfs-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mnt], {
      stdio: 'ignore',
    })
    return mnt
  } catch {
    rmdirSync(mnt)
    return undefined
  }
}

function unmount(mnt: string): void {
  execFileSync('umount', [mnt], { stdio: 'ignore' })
  rmdirSync(mnt)
}

const remount = (mnt: string, how: 'ro' | 'rw') =>
  execFileSync('mount', ['-o', `remount,${how}`, mnt], { stdio: 'ignore' })

const canMount = (() => {
  if (!isRoot) return false
  const probe = mountTmpfs('64k')
  if (probe === undefined) return false
  unmount(probe)
  return true
})()

const mounted: string[] = []
afterEach(() => {
  for (const mnt of mounted.splice(0)) unmount(mnt)
})
const tmpfs = (size: string) => {
  const mnt = mountTmpfs(size)!
  mounted.push(mnt)
  return mnt
}

const entryOf = (key: string, value: unknown): Entry => {
  const { text, attachments } = encodeParts(value)
  return { key, value, encoded: text, attachments, expiresAt: Date.now() + 3_600_000 }
}

/** Fills the file system holding `dir` to the last byte, then frees `freeBytes` of it. */
function fillUpTo(dir: string, freeBytes: number): void {
  const fd = openSync(join(dir, 'filler'), 'w')
  try {
    for (const chunk of [65_536, 4_096, 512, 1]) {
      const bytes = Buffer.alloc(chunk, 1)
      try {
        for (;;) writeSync(fd, bytes)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
      }
    }
    ftruncateSync(fd, Math.max(0, fstatSync(fd).size - freeBytes))
  } finally {
    closeSync(fd)
  }
}

;(canMount ? describe : describe.skip)('FileTier on a real tmpfs (needs root to mount)', () => {
  it('set on a full disk rejects with a StorageError, and the previous entry is still read intact', async () => {
    const mnt = tmpfs('1m')
    const dir = join(mnt, 'cache')
    const tier = new FileTier({ dir })
    const previous = { frame: randomBytes(8 * 1024), note: 'previous' }
    await tier.set(entryOf('clip', previous))
    fillUpTo(mnt, 8 * 1024) // room for part of the next value: its write comes back short
    await expect(
      tier.set(entryOf('clip', { frame: randomBytes(64 * 1024), note: 'next' })),
    ).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect((await tier.get('clip'))?.value).toEqual(previous)
    expect((await new FileTier({ dir }).get('clip'))?.value).toEqual(previous)
    expect(readdirSync(join(dir, '.tmp'))).toEqual([]) // the failed write left nothing behind
    // Space again: the same instance writes.
    unlinkSync(join(mnt, 'filler'))
    const next = { frame: randomBytes(64 * 1024), note: 'next' }
    await tier.set(entryOf('clip', next))
    expect((await tier.get('clip'))?.value).toEqual(next)
  })

  it.each([4_096, 4_500, 12_000, 60_000])(
    'a value with attachments never lands cut short, whatever room is left (%i bytes free)',
    async (free) => {
      const mnt = tmpfs('512k')
      const tier = new FileTier({ dir: join(mnt, 'cache') })
      await tier.set(entryOf('k', { small: 1 }))
      fillUpTo(mnt, free)
      const big = { a: randomBytes(40_000), b: randomBytes(30_000) }
      const wrote = await tier.set(entryOf('k', big)).then(
        () => true,
        () => false,
      )
      expect((await tier.get('k'))?.value).toEqual(wrote ? big : { small: 1 })
    },
  )

  it('a read-only file system fails writes; once writable again, the same Cache writes, first folder included', async () => {
    const mnt = tmpfs('1m')
    remount(mnt, 'ro')
    const cache = new Cache({
      cacheDir: join(mnt, 'cache'),
      cleanupInterval: false,
      onError: () => {},
    })
    try {
      await expect(cache.set('a', 1)).rejects.toMatchObject({ code: 'E_STORAGE' })
      remount(mnt, 'rw')
      await cache.set('a', 1)
      remount(mnt, 'ro')
      await expect(cache.set('b', 2)).rejects.toMatchObject({ code: 'E_STORAGE' })
      const reader = new Cache({ cacheDir: join(mnt, 'cache'), cleanupInterval: false })
      expect(await reader.get('a')).toBe(1) // reads work on a read-only disk
      await reader.close()
      remount(mnt, 'rw')
      await cache.set('b', 2)
      expect(await cache.get('b')).toBe(2)
    } finally {
      await cache.close()
    }
  })
})
