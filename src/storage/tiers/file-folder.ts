import { constants } from 'node:fs'
import { chmod, lstat, mkdir, open, readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { eachLimited } from '../../core/each-limited'
import { codeOf, folderRefusal, isMissing, isNotRegular } from './file-io'
import {
  ENTRY_FILE_STARTS,
  ENTRY_SUFFIX,
  TAG_FILE,
  TAG_SIGNATURE,
  TAGS_DIR,
  LEASE_DIR,
  TMP_DIR,
} from './file-layout'
import { readHead } from './read-whole'

const TAG_TEXT = `${TAG_SIGNATURE}
# This file is a cache directory tag created by tiercache.
# Everything in this folder can be recreated; backup tools may skip it.
# For information about cache directory tags, see https://bford.info/cachedir/
`
/** Opens the tag for writing without following a symlink and without blocking on a FIFO (ENXIO instead). */
const TAG_WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/**
 * The cache folder, and whether it is ours. The tier deletes only files it can tell it wrote, so it works only
 * in a folder it made (marked with a CACHEDIR.TAG), in an empty one, or in one that holds nothing but entries
 * (a folder of tiercache 0.1.0, which wrote no tag: it is adopted and tagged). Any other folder is refused
 * with a StorageError that says why and what to do. Its own sub-folder `.tmp` must be a real folder, never a
 * symlink. Success is remembered; a failure never is: the next operation checks again.
 */
export class CacheFolder {
  readonly tmpDir: string
  /** Folders: the file mode plus search (x) wherever read is granted. */
  readonly dirMode: number
  /** Whether modes must be set explicitly (a mode wider than the default, which the umask could narrow). */
  readonly #exactModes: boolean
  /** Resolves true once the folder is known to be ours, false when it does not exist. Kept only when true. */
  #owned: Promise<boolean> | undefined
  #tagged = false
  #writable: Promise<void> | undefined

  constructor(
    readonly dir: string,
    readonly fileMode: number,
    defaultFileMode: number,
  ) {
    this.tmpDir = join(dir, TMP_DIR)
    this.dirMode = fileMode | 0o100 | ((fileMode & 0o040) >> 2) | ((fileMode & 0o004) >> 2)
    this.#exactModes = fileMode !== defaultFileMode
  }

  /** True once the folder is known to be ours; false when it does not exist (nothing to read or remove). */
  check(): Promise<boolean> {
    if (this.#owned) return this.#owned
    const checking = this.#checkOwnership().then(
      (owned) => {
        if (!owned && this.#owned === checking) this.#owned = undefined
        return owned
      },
      (err: unknown) => {
        if (this.#owned === checking) this.#owned = undefined
        throw err
      },
    )
    return (this.#owned = checking)
  }

  /**
   * `check`, asked of the disk again, for removals: the folder may have been removed and replaced by another
   * since it was last checked (its tag is read again; a tagged folder costs one small read).
   */
  confirm(): Promise<boolean> {
    this.#owned = undefined
    return this.check()
  }

  /** Makes the folder (tagged) and its temp folder when missing, and checks both; shared by concurrent writes. */
  prepareWrite(): Promise<void> {
    return (this.#writable ??= this.#prepareWrite().catch((err: unknown) => {
      this.#writable = undefined
      throw err
    }))
  }

  /** The folder or its temp folder changed under us (removed, replaced): check everything again next time. */
  forget(): void {
    this.#owned = undefined
    this.#writable = undefined
    this.#tagged = false
  }

  /** Whether `.tmp` is a real folder (not a symlink); when it is not, the next write checks again and refuses. */
  async tmpIsFolder(): Promise<boolean> {
    try {
      if ((await lstat(this.tmpDir)).isDirectory()) return true
    } catch {
      // missing: nothing to sweep
    }
    this.#writable = undefined
    return false
  }

  /** Applies `mode` to a file or folder this tier created, when the umask may have narrowed it. */
  async applyMode(path: string, mode: number): Promise<void> {
    if (this.#exactModes) await chmod(path, mode)
  }

  get exactModes(): boolean {
    return this.#exactModes
  }

  async #prepareWrite(): Promise<void> {
    if (await this.#makeFolder(this.dir)) {
      await this.#writeTag()
      this.#owned = Promise.resolve(true)
    } else if (!(await this.check())) {
      // Not there (removed meanwhile: ENOENT, and set() tries once more), or not a folder.
      if ((await lstat(this.dir).catch(() => undefined)) === undefined)
        throw Object.assign(new Error(`${this.dir} vanished`), { code: 'ENOENT' })
      throw this.#refusal(`${this.dir} is not a folder`)
    } else if (!this.#tagged) {
      await this.#writeTag() // an adopted folder: tagged at its first write
    }
    await this.#makeFolder(this.tmpDir)
    const info = await lstat(this.tmpDir)
    if (!info.isDirectory())
      throw this.#refusal(
        `${this.tmpDir} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; tiercache writes only into a folder of its own. Remove it`,
      )
  }

  /** Creates `path` with the folder mode; true if this call created it, false if it was there. */
  async #makeFolder(path: string): Promise<boolean> {
    try {
      await mkdir(path, { mode: this.dirMode })
    } catch (err) {
      if (codeOf(err) === 'EEXIST') return false
      if (codeOf(err) !== 'ENOENT' || path !== this.dir) throw err
      await mkdir(dirname(path), { recursive: true }) // parents as the umask says: they are not ours
      return this.#makeFolder(path)
    }
    await this.applyMode(path, this.dirMode)
    return true
  }

  async #checkOwnership(): Promise<boolean> {
    try {
      if (!(await stat(this.dir)).isDirectory()) return false // a file where the folder goes: nothing to read
    } catch (err) {
      if (isMissing(err)) return false
      throw err
    }
    if (await this.#hasTag()) return (this.#tagged = true)
    const stranger = await this.#firstStranger()
    if (stranger !== undefined)
      throw this.#refusal(
        `${this.dir} is not a tiercache folder: it has no CACHEDIR.TAG and holds "${stranger}", which tiercache did not write. Point cacheDir at an empty or new folder (such as "./cache"); tiercache never deletes files it cannot tell it wrote`,
      )
    // Empty, or a 0.1.0 folder: ours. Tagged now if the disk allows, else at the first write.
    await this.#writeTag().catch(() => {})
    return true
  }

  async #hasTag(): Promise<boolean> {
    try {
      return (
        (await readHead(join(this.dir, TAG_FILE), TAG_SIGNATURE.length)).toString() ===
        TAG_SIGNATURE
      )
    } catch (err) {
      if (isMissing(err) || isNotRegular(err)) return false
      throw err
    }
  }

  /** The first name in the folder that tiercache would not have written, if any. */
  async #firstStranger(): Promise<string | undefined> {
    let stranger: string | undefined
    await eachLimited(await readdir(this.dir), async (name) => {
      if (stranger === undefined && !(await this.#looksOurs(name))) stranger ??= name
    })
    return stranger
  }

  async #looksOurs(name: string): Promise<boolean> {
    const path = join(this.dir, name)
    try {
      if (name === TMP_DIR || name === TAGS_DIR || name === LEASE_DIR)
        return (await lstat(path)).isDirectory()
      if (name === TAG_FILE) return (await lstat(path)).isFile() // another process is writing it right now
      if (!name.endsWith(ENTRY_SUFFIX)) return false
      // Any entry, cut short included: 0.1.0 could leave one on a full disk.
      const head = (await readHead(path, ENTRY_FILE_STARTS[0]!.length)).toString()
      return ENTRY_FILE_STARTS.includes(head)
    } catch (err) {
      return isMissing(err) && !isNotRegular(err) // removed meanwhile: nothing in the way
    }
  }

  /** Writes the tag in place: same bytes from every writer, so concurrent writers agree; never through a link. */
  async #writeTag(): Promise<void> {
    const handle = await open(join(this.dir, TAG_FILE), TAG_WRITE_FLAGS, this.fileMode)
    try {
      if (!(await handle.stat()).isFile())
        throw this.#refusal(`${join(this.dir, TAG_FILE)} is not a file`)
      const { bytesWritten } = await handle.write(TAG_TEXT, 0)
      if (bytesWritten !== Buffer.byteLength(TAG_TEXT))
        throw Object.assign(new Error(`short write of ${TAG_FILE}`), { code: 'ENOSPC' })
      await handle.truncate(Buffer.byteLength(TAG_TEXT))
      if (this.#exactModes) await handle.chmod(this.fileMode)
    } finally {
      await handle.close()
    }
    this.#tagged = true
  }

  #refusal(reason: string): Error {
    return folderRefusal(`${reason}.`)
  }
}
