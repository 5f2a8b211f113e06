import { randomBytes } from 'node:crypto'
import { lstat, readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { readClock, systemClock, type Clock } from '../../core/clock'
import { KeyedLock } from '../../core/keyed-lock'
import type { Entry, KeyPredicate, Tier, TierStats } from '../tier'
import type { TagCounters } from '../tier-tags'
import { ByteBudget } from './file-budget'
import { CacheFolder } from './file-folder'
import { FileLeases } from './file-lease'
import { entryFileParts, parseEntry } from './file-format'
import { entryNameMatches, listFileKeys } from './file-keys'
import { eachLimited } from '../../core/each-limited'
import { isMissing, isNotRegular, toStorageError } from './file-io'
import {
  ENTRY_SUFFIX,
  expiryToMtime,
  fileNamePrefix,
  keyToFileName,
  tempFileName,
} from './file-layout'
import { isDeadEntry, removeEntryName, sweepStaleTemps } from './file-prune'
import { bumpTagCounter, isTagInvalidated, readTagCounter, readTagCounters } from './file-tags'
import { DEFAULT_FILE_MODE, checkFileTierOptions, type FileTierOptions } from './file-tier-options'
import { writeFileAtomically } from './file-write'
import { readToEnd, readWhole } from './read-whole'

export type { FileTierOptions } from './file-tier-options'

/**
 * The persistent tier: one JSON file per entry, written to a temp file and renamed into place, so readers in
 * any process see the old entry or the new one, never a mix. Anything unreadable, and anything that is not a
 * regular file, is a miss. Nothing outside the folder is ever written, read or deleted.
 *
 * @example
 * ```ts
 * import { Cache, FileTier, MemoryTier } from 'tiercache'
 *
 * // At most 1 GiB on disk (least recently used first), readable by the group that shares the folder.
 * const disk = new FileTier({ dir: '/var/cache/video-pipeline', maxBytes: 2 ** 30, fileMode: 0o660 })
 * const cache = new Cache({ tiers: [new MemoryTier(), disk], ttl: '7d' })
 * ```
 */
export class FileTier implements Tier, TagCounters {
  readonly name = 'file'
  readonly needsEncoded = true
  /** Absolute path of the folder. */
  readonly dir: string
  /** Leases for the processes sharing this folder on one host (see file-lease.ts); never entries. */
  readonly leases: FileLeases
  readonly #folder: CacheFolder
  readonly #clock: Clock
  readonly #budget: ByteBudget | undefined
  readonly #writes = new KeyedLock()
  /** While prune() runs: names this process wrote meanwhile, which prune must not remove. */
  #writtenWhilePruning: Set<string> | undefined
  #pruning = 0
  #tmpCounter = 0
  readonly #writerTag = `${process.pid}-${randomBytes(4).toString('hex')}`

  constructor(options: FileTierOptions) {
    const { fileMode } = checkFileTierOptions(options)
    const { maxBytes } = options
    this.dir = resolve(options.dir)
    this.#folder = new CacheFolder(this.dir, fileMode, DEFAULT_FILE_MODE)
    this.leases = new FileLeases(this.#folder)
    this.#clock = options.clock ?? systemClock
    this.#budget =
      maxBytes === undefined
        ? undefined
        : new ByteBudget(maxBytes, this.dir, () => this.#entryNames())
  }

  async get(key: string): Promise<Entry | undefined> {
    const name = keyToFileName(key)
    const path = join(this.dir, name)
    let bytes: Buffer
    try {
      if (!(await this.#folder.check())) return undefined
      bytes = await readWhole(path)
    } catch (err) {
      if (isMissing(err) || isNotRegular(err)) return undefined // left to prune(), which never follows it
      throw toStorageError('read', key, err)
    }
    const entry = parseEntry(bytes, key)
    if (entry === undefined || entry.expiresAt <= readClock(this.#clock)) {
      // Expired, corrupt or foreign: it will never be a hit again. Removed under the key's lock and only if
      // still so, since a set() may have replaced the file since it was read. The re-read goes on to the end of
      // the file: a file is never removed as cut short on the word of readWhole, which takes a short read for
      // the end (true of local files; a FUSE or network mount may read short).
      await this.#writes.run(name, async () => {
        const current = await readToEnd(path).catch(() => undefined)
        if (current === undefined || !(await this.#folder.confirm().catch(() => false))) return
        const again = parseEntry(current, key)
        if (again === undefined || again.expiresAt <= readClock(this.#clock))
          await this.#remove(name).catch(() => false)
      })
      return undefined
    }
    this.#budget?.touch(name)
    return entry
  }

  async set(entry: Entry): Promise<void> {
    if (entry.encoded === undefined) throw new TypeError('FileTier.set needs entry.encoded')
    const name = keyToFileName(entry.key)
    const parts = entryFileParts(entry)
    const mtime = expiryToMtime(entry.expiresAt)
    const allocated = await this.#writes.run(name, async () => {
      try {
        const measured = await this.#write(name, parts, mtime).catch((err: unknown) => {
          if (!isMissing(err)) throw err
          // The folder was removed from under us (a cache cleared by hand): checked and made again, so one
          // more attempt recreates it instead of losing this write.
          this.#folder.forget()
          return this.#write(name, parts, mtime)
        })
        this.#writtenWhilePruning?.add(name)
        return measured
      } catch (err) {
        throw toStorageError('write', entry.key, err)
      }
    })
    if (this.#budget && allocated !== undefined)
      await this.#budget.account(name, allocated, (victim) =>
        // Under the victim's lock, so that a set() of that key in flight is not undone halfway.
        this.#writes.run(victim, () => this.#remove(victim).catch(() => false)),
      )
  }

  async delete(key: string): Promise<boolean> {
    const name = keyToFileName(key)
    return this.#writes.run(name, async () => {
      try {
        return (await this.#folder.confirm()) && (await this.#remove(name))
      } catch (err) {
        throw toStorageError('delete', key, err)
      }
    })
  }

  async clear(match?: KeyPredicate): Promise<number> {
    const namePrefix = match?.prefix ? fileNamePrefix(match.prefix) : ''
    const names = await this.#entryNames(true)
    let removed = 0
    await eachLimited(names, async (name) => {
      if ((await entryNameMatches(this.dir, name, match, namePrefix)) && (await this.#remove(name)))
        removed++
    })
    return removed
  }

  async prune(): Promise<number> {
    const now = readClock(this.#clock)
    const writtenMeanwhile = (this.#writtenWhilePruning ??= new Set())
    this.#pruning++
    try {
      return await this.#prune(now, writtenMeanwhile)
    } finally {
      if (--this.#pruning === 0) this.#writtenWhilePruning = undefined
    }
  }

  async #prune(now: number, writtenMeanwhile: Set<string>): Promise<number> {
    const names = await this.#entryNames(true)
    const invalidatedByTag = await this.#tagSweep()
    let removed = 0
    await eachLimited(names, async (name) => {
      if (!(await isDeadEntry(this.dir, name, now)) && !(await invalidatedByTag(name))) return
      // Under the key's lock, and not if this process wrote the key meanwhile: a set() may have replaced it.
      const gone = await this.#writes.run(
        name,
        async () => !writtenMeanwhile.has(name) && (await this.#remove(name, true)),
      )
      if (gone) removed++
    })
    // Only through a real folder: a .tmp turned into a symlink is not swept, and the next write refuses it.
    if (await this.#folder.tmpIsFolder()) await sweepStaleTemps(this.#folder.tmpDir, now)
    await this.leases.sweep() // orphaned leases: not entries, so not counted
    this.#budget?.reset()
    return removed
  }

  /** Tag counters, kept in the folder (`.tags/`, see file-tags.ts): one `lstat` per tag. */
  async tagVersions(tags: readonly string[]): Promise<number[]> {
    try {
      if (!(await this.#folder.check())) return tags.map(() => 0)
      return await Promise.all(tags.map((tag) => readTagCounter(this.dir, tag)))
    } catch (err) {
      throw toStorageError('read tag counters of', undefined, err)
    }
  }

  async bumpTags(tags: readonly string[]): Promise<number[]> {
    try {
      await this.#folder.prepareWrite()
      return await Promise.all(
        tags.map((tag) => bumpTagCounter(this.dir, tag, this.#folder.fileMode)),
      )
    } catch (err) {
      throw toStorageError('invalidate tags in', undefined, err)
    }
  }

  async stats(): Promise<TierStats> {
    const names = await this.#entryNames()
    let bytes = 0
    let entries = 0
    await eachLimited(names, async (name) => {
      try {
        const info = await lstat(join(this.dir, name)) // awaited first: `bytes += await …` would lose updates
        if (!info.isFile()) return
        bytes += info.size
        entries++
      } catch {
        // removed meanwhile
      }
    })
    return { entries, bytes, evictions: this.#budget?.evictions ?? 0 }
  }

  /** The keys of the entries not expired, streamed from the folder (see file-keys.ts). */
  keys(match?: KeyPredicate): AsyncIterable<string> {
    return listFileKeys(
      this.dir,
      () => this.#folder.check(),
      () => readClock(this.#clock),
      match,
    )
  }

  async close(): Promise<void> {
    this.leases.close()
  }

  // --- Internal helpers ---

  /**
   * For one prune: whether an entry's tag stamps are older than the folder's counters. Entries are read for
   * their tags only when some tag was ever invalidated here; each counter is read once per prune.
   */
  async #tagSweep(): Promise<(name: string) => Promise<boolean>> {
    const counters = await readTagCounters(this.dir).catch(() => new Map<string, number>())
    if (counters.size === 0) return async () => false
    const counterOf = async (tag: string) => counters.get(tag) ?? readTagCounter(this.dir, tag)
    return (name) => isTagInvalidated(join(this.dir, name), counterOf)
  }

  /** Writes one entry file; resolves to its allocated bytes when a maxBytes bound needs them. */
  async #write(
    name: string,
    parts: readonly (string | Uint8Array)[],
    mtime: number,
  ): Promise<number | undefined> {
    await this.#folder.prepareWrite()
    const tmp = join(this.#folder.tmpDir, tempFileName(this.#writerTag, this.#tmpCounter++))
    return writeFileAtomically(tmp, join(this.dir, name), parts, {
      mode: this.#folder.fileMode,
      exactMode: this.#folder.exactModes,
      measure: this.#budget !== undefined,
      mtime,
    })
  }

  async #remove(name: string, emptyDir = false): Promise<boolean> {
    const removed = await removeEntryName(this.dir, name, emptyDir)
    if (removed) this.#budget?.forget(name)
    return removed
  }

  /**
   * The `*.json` names of the folder; none when it does not exist; a StorageError when it is not ours. With
   * `toRemove`, ownership is asked of the disk again rather than remembered.
   */
  async #entryNames(toRemove = false): Promise<string[]> {
    try {
      if (!(await (toRemove ? this.#folder.confirm() : this.#folder.check()))) return []
      return (await readdir(this.dir)).filter((name) => name.endsWith(ENTRY_SUFFIX))
    } catch (err) {
      if (isMissing(err)) return []
      throw toStorageError('list', undefined, err)
    }
  }
}
