import type { Stats } from 'node:fs'
import { describeFailure, isStorageError, StorageError } from '../../core/exceptions'

/** Small helpers shared by the file tier's modules. */

/** How many file operations prune/clear/stats keep in flight at once. */

/** The errno-style code of `err`, if it has one. */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** Nothing (usable) at that path: a miss, not a failure. */
export function isMissing(err: unknown): boolean {
  const code = codeOf(err)
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}

/**
 * Something at that path that is not a regular file: a symlink (opened with O_NOFOLLOW: ELOOP), a FIFO, socket
 * or device (ERR_NOT_REGULAR_FILE from read-whole; ENXIO for a socket), a folder (EISDIR). Never an entry.
 */
export function isNotRegular(err: unknown): boolean {
  const code = codeOf(err)
  return (
    code === 'ELOOP' || code === 'ERR_NOT_REGULAR_FILE' || code === 'ENXIO' || code === 'EISDIR'
  )
}

/** What `du` counts for a file: its allocated blocks, or its size rounded up to blocks where those are not reported. */
export function allocatedBytes(info: Stats): number {
  if (info.blocks > 0 || info.size === 0) return info.blocks * 512
  const block = info.blksize > 0 ? info.blksize : 4096
  return Math.ceil(info.size / block) * block
}

const FOLDER_REFUSED = 'ERR_TIERCACHE_FOLDER_REFUSED'

/** The folder (or its `.tmp`) is not one the tier may use; `reason` says why and what to do. */
export function folderRefusal(reason: string): Error {
  return Object.assign(new Error(reason), { code: FOLDER_REFUSED })
}

/** `cause` as the StorageError the file tier reports; a StorageError (from any copy of the library) as it is. */
export function toStorageError(
  action: string,
  key: string | undefined,
  cause: unknown,
): StorageError {
  if (isStorageError(cause)) return cause
  // A refusal's reason is its message (it names the folder and the fix), not its code.
  const reason = codeOf(cause) === FOLDER_REFUSED ? (cause as Error).message : cause
  return new StorageError(describeFailure('file', action, key, reason), {
    key,
    tier: 'file',
    cause,
  })
}
