import { constants } from 'node:fs'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { allocatedBytes } from './file-io'

/** Creates a new file only: never opens what is there, and never follows a symlink planted at the name. */
const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)

export interface WriteOptions {
  /** Mode of the new file. */
  mode: number
  /** Set the mode explicitly after creation (a mode wider than the default, which the umask could narrow). */
  exactMode: boolean
  /** Measure the file's allocated bytes (for a maxBytes bound). */
  measure: boolean
  /** The mtime to give the file (its entry's expiry, for prune()), or undefined to leave it. */
  mtime?: number
}

/**
 * Writes `parts` to the new file `tmpPath`, every byte of them, then renames it to `finalPath`: readers see the
 * old file or the new one, never a mix, and a write that fails (a full disk, a short write that cannot finish)
 * never replaces the old file. Resolves to the allocated bytes when `measure` is set.
 */
export async function writeFileAtomically(
  tmpPath: string,
  finalPath: string,
  parts: readonly (string | Uint8Array)[],
  options: WriteOptions,
): Promise<number | undefined> {
  let moved = false
  try {
    const handle = await open(tmpPath, CREATE_FLAGS, options.mode)
    let allocated: number | undefined
    try {
      await writeAll(handle, parts)
      // Through the handle, before the rename: stamping the final name afterwards could touch a file that
      // replaced ours there meanwhile (a hard link to someone else's file).
      if (options.mtime !== undefined) await handle.utimes(options.mtime, options.mtime)
      if (options.exactMode) await handle.chmod(options.mode)
      if (options.measure) allocated = allocatedBytes(await handle.stat())
    } finally {
      await handle.close() // its failure is the write's (a network file system reports a full disk here)
    }
    await rename(tmpPath, finalPath)
    moved = true
    return allocated
  } finally {
    if (!moved) await unlink(tmpPath).catch(() => {})
  }
}

/** writev until every byte is written: one call may write only part (a full disk, a signal). */
async function writeAll(
  handle: FileHandle,
  parts: readonly (string | Uint8Array)[],
): Promise<void> {
  let buffers = parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))
  while (buffers.length > 0) {
    const { bytesWritten } = await handle.writev(buffers)
    if (bytesWritten === 0)
      throw Object.assign(new Error('write made no progress'), { code: 'ENOSPC' })
    buffers = rest(buffers, bytesWritten)
  }
}

/** What is left of `buffers` once `written` bytes of them are on disk. */
function rest(buffers: readonly Uint8Array[], written: number): Uint8Array[] {
  let skip = written
  let first = 0
  while (first < buffers.length && skip >= buffers[first]!.byteLength)
    skip -= buffers[first++]!.byteLength
  const left = buffers.slice(first)
  if (left.length > 0 && skip > 0) left[0] = left[0]!.subarray(skip)
  return left
}
