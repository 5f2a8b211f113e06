import { checkPositiveInteger } from '../../core/options'
import type { Clock } from '../../core/clock'

/**
 * The options of `new FileTier(options)`: where the files go, how much disk they may take, who may
 * read them.
 *
 * @example
 * ```ts
 * import { FileTier, type FileTierOptions } from 'tiercache'
 *
 * const options: FileTierOptions = { dir: 'cache/videos', maxBytes: 512 * 2 ** 20 }
 * const disk = new FileTier(options)
 * ```
 */
export interface FileTierOptions {
  /**
   * The folder holding one `<escaped key>.json` per entry. Created (with a CACHEDIR.TAG) on the first write.
   * An existing folder must be empty, tagged, or hold only entries (a tiercache 0.1.0 folder); any other is
   * refused with a StorageError, since the tier deletes what it finds there.
   */
  dir: string
  /**
   * A bound on the disk space of the entry files, in bytes, as `du` counts it (allocated blocks: a tiny entry
   * takes a whole 4 KiB block on most file systems); the least recently used entries go first.
   */
  maxBytes?: number
  /**
   * Permission bits of the files, `0o600` (owner only) by default. Widen it for a cache shared between users,
   * e.g. `0o660` for a group. Folders get the same bits plus search (x) wherever read is granted (`0o660` →
   * `0o770`). Applied exactly, whatever the umask. Must grant the owner read and write.
   */
  fileMode?: number
  /** Time source for expiry. Compared with file times, so it must be a wall clock. */
  clock?: Clock
}

export const DEFAULT_FILE_MODE = 0o600

/** Checks the options of `new FileTier`; throws a TypeError naming a bad one. */
export function checkFileTierOptions(options: FileTierOptions): { fileMode: number } {
  if (typeof options?.dir !== 'string' || options.dir === '')
    throw new TypeError('dir option must be a non-empty path')
  const { maxBytes, fileMode = DEFAULT_FILE_MODE } = options
  checkPositiveInteger('maxBytes', maxBytes)
  if (
    !Number.isInteger(fileMode) ||
    fileMode < 0 ||
    fileMode > 0o777 ||
    (fileMode & 0o600) !== 0o600
  )
    throw new TypeError(
      `fileMode option must be permission bits from 0o600 to 0o777 that let the owner read and write (got ${String(fileMode)})`,
    )
  return { fileMode }
}
