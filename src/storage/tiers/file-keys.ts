import { opendir, lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '../../core/exceptions'
import type { KeyPredicate } from '../tier'
import { storedKey } from './file-format'
import { isMissing, toStorageError } from './file-io'
import {
  ENTRY_SUFFIX,
  fileNamePrefix,
  fileNameToKey,
  keyToFileName,
  mtimeExpired,
} from './file-layout'
import { readWhole } from './read-whole'

/** An mtime this close to the ctime was not stamped with an expiry yet (a write on its way): listed. */
const STAMP_TOLERANCE_MS = 1_000

/**
 * The keys of a file tier's folder, streamed from `opendir` (which reads the folder a few entries at a time):
 * names turn back into keys without a read (file-layout.ts); a hashed name's key is read from its file. An
 * entry whose mtime (its expiry, see `expiryToMtime`) has passed is left out, and so is any file this tier
 * would not have written. Breaking out of the loop closes the folder.
 */
export async function* listFileKeys(
  dir: string,
  owned: () => Promise<boolean>,
  now: () => number,
  match?: KeyPredicate,
): AsyncGenerator<string> {
  const namePrefix = match?.prefix ? fileNamePrefix(match.prefix) : ''
  try {
    if (!(await owned())) return
    const at = now()
    for await (const dirent of await opendir(dir)) {
      const name = dirent.name
      if (!name.endsWith(ENTRY_SUFFIX)) continue
      let key = fileNameToKey(name)
      if (key === undefined) continue // not a name this tier writes
      if (key !== null && namePrefix !== undefined && !name.startsWith(namePrefix)) continue
      if (!(await isLive(join(dir, name), at))) continue
      if (key === null) key = await hashedNameKey(dir, name) // only the file knows its key
      if (key !== undefined && (match === undefined || match(key))) yield key
    }
  } catch (err) {
    if (err instanceof StorageError) throw err
    if (isMissing(err)) return // the folder went away: nothing to list
    throw toStorageError('list', undefined, err)
  }
}

/** A regular file whose expiry (its mtime) is still ahead; false when it went away meanwhile. */
async function isLive(path: string, now: number): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined)
  if (!info?.isFile()) return false
  return (
    Math.abs(info.mtimeMs - info.ctimeMs) <= STAMP_TOLERANCE_MS || !mtimeExpired(info.mtimeMs, now)
  )
}

async function hashedNameKey(dir: string, name: string): Promise<string | undefined> {
  try {
    const key = storedKey(await readWhole(join(dir, name)))
    return key !== undefined && keyToFileName(key) === name ? key : undefined
  } catch {
    return undefined // removed or replaced meanwhile
  }
}

/**
 * Whether the entry file `name` holds a key `match` accepts (for `clear(match)`); no match accepts them all.
 * `namePrefix`: the file-name prefix of the match's key prefix, when it has one (a name that lacks it is no
 * match, without a read). A name this tier does not write is no match: it is left to prune().
 */
export async function entryNameMatches(
  dir: string,
  name: string,
  match: KeyPredicate | undefined,
  namePrefix: string | undefined,
): Promise<boolean> {
  if (!match) return true
  const key = fileNameToKey(name)
  if (key === undefined) return false // not a name this tier writes: left to prune()
  if (key === null) {
    const stored = await hashedNameKey(dir, name) // a hashed name: only the file knows its key
    return stored !== undefined && match(stored)
  }
  if (namePrefix !== undefined && !name.startsWith(namePrefix)) return false
  return match(key)
}
