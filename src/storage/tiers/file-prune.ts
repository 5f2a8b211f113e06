import { lstat, readdir, rmdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { eachLimited } from '../../core/each-limited'
import { codeOf, isMissing, isNotRegular } from './file-io'
import { fileNameToKey, isTempFileName, keyToFileName, mtimeExpired } from './file-layout'
import { parseEntry, storedKey } from './file-format'
import { readToEnd } from './read-whole'

/**
 * What prune() removes, decided without following or opening anything that is not a regular file: expired
 * entries, unreadable or foreign `*.json` files, and anything else under an entry name (a symlink, dangling or
 * looping or not, a FIFO, socket or device, an empty folder). And temp files of writers that died.
 */

/** An mtime this close to the ctime was never stamped with an expiry (set stamps it just after the rename). */
const STAMP_TOLERANCE_MS = 1_000
/** Temp files untouched for this long belong to a writer that died. */
const STALE_TMP_MS = 10 * 60_000

/** Whether the `*.json` name in `dir` holds nothing that is or will be a hit at `now`. */
export async function isDeadEntry(dir: string, name: string, now: number): Promise<boolean> {
  const path = join(dir, name)
  let info: Awaited<ReturnType<typeof lstat>>
  try {
    info = await lstat(path)
  } catch {
    return false // gone meanwhile
  }
  if (!info.isFile()) return true // never written by this tier; removing the name never touches a target
  // A stamped file carries its expiry as mtime: one lstat decides. Others (a stamp still on its way, a writer
  // that died first, a foreign or hand-edited file) have mtime = ctime, and their content decides.
  if (Math.abs(info.mtimeMs - info.ctimeMs) > STAMP_TOLERANCE_MS)
    return mtimeExpired(info.mtimeMs, now)
  let bytes: Buffer
  try {
    bytes = await readToEnd(path) // to the end: a removal is never decided on a short read
  } catch (err) {
    return isNotRegular(err) // replaced meanwhile by something that is not a file
  }
  let key = fileNameToKey(name)
  if (key === null) {
    const stored = storedKey(bytes) // a hashed name: only the file knows its key
    key = stored !== undefined && keyToFileName(stored) === name ? stored : undefined
  }
  const entry = key === undefined ? undefined : parseEntry(bytes, key)
  return entry === undefined || entry.expiresAt <= now
}

/**
 * Unlinks the entry name (a symlink is unlinked, never followed); with `emptyDir`, an empty folder squatting on
 * the name goes too. True if something was removed.
 */
export async function removeEntryName(
  dir: string,
  name: string,
  emptyDir = false,
): Promise<boolean> {
  try {
    await unlink(join(dir, name))
    return true
  } catch (err) {
    const code = codeOf(err)
    // Checked before isMissing, which counts EISDIR as a miss: unlink of a folder fails with EISDIR (Linux) or EPERM (macOS).
    if (code === 'EISDIR' || code === 'EPERM')
      return (
        emptyDir &&
        rmdir(join(dir, name)).then(
          () => true,
          () => false,
        )
      )
    if (isMissing(err)) return false
    throw err
  }
}

/** Removes from `tmpDir` the temp files (by their name pattern only) not changed for 10 minutes. */
export async function sweepStaleTemps(tmpDir: string, now: number): Promise<void> {
  let names: string[]
  try {
    names = (await readdir(tmpDir)).filter(isTempFileName)
  } catch {
    return
  }
  await eachLimited(names, async (name) => {
    const path = join(tmpDir, name)
    try {
      // ctime, not mtime: a finished temp file already carries its entry's expiry as mtime.
      if (now - (await lstat(path)).ctimeMs > STALE_TMP_MS) await unlink(path)
    } catch {
      // gone meanwhile
    }
  })
}
