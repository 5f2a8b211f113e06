import { randomBytes } from 'node:crypto'
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rmdir,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { readClock, systemClock, type Clock } from '../../core/clock'
import { describeFailure, StorageError } from '../../core/exceptions'
import { KeyedLock } from '../../core/keyed-lock'
import type { Entry, KeyPredicate, Tier, TierStats } from '../tier'
import {
  ENTRY_SUFFIX,
  expiryToMtime,
  fileNamePrefix,
  fileNameToKey,
  keyToFileName,
  mtimeExpired,
  TMP_DIR,
} from './file-layout'
import { entryFileParts, parseEntry, partsLength, storedKey } from './file-format'
import { readWhole } from './read-whole'
import { FILE_TIER } from './tier-brands'

export interface FileTierOptions {
  /** The folder holding one `<escaped key>.json` per entry. Created on the first write. */
  dir: string
  /** A bound on the summed size of the entry files, in bytes; the least recently used entries go first. */
  maxBytes?: number
  /** Time source for expiry. Compared with file times, so it must be a wall clock. */
  clock?: Clock
}

/** An mtime this close to the ctime was never stamped with an expiry (set stamps it just after the rename). */
const STAMP_TOLERANCE_MS = 1_000
/** Temp files untouched for this long belong to a writer that died; prune() removes them. */
const STALE_TMP_MS = 10 * 60_000
/** How many file operations prune/clear keep in flight at once. */
const IO_CONCURRENCY = 32

/**
 * The persistent tier: one JSON file per entry, written to a temp file and renamed into place, so readers in
 * any process see the old entry or the new one, never a mix. Anything unreadable is a miss.
 */
export class FileTier implements Tier {
  readonly name = 'file'
  readonly needsEncoded = true
  /** Absolute path of the folder. */
  readonly dir: string
  readonly #tmpDir: string
  readonly #clock: Clock
  readonly #maxBytes: number
  readonly #writes = new KeyedLock()
  /** For maxBytes: file name → size, least recently used first. Built on first need; this process's view. */
  #index: Map<string, number> | undefined
  /** The one load of #index under way: concurrent first writes must share it, or a write lands in a map that is then replaced. */
  #indexLoad: Promise<Map<string, number>> | undefined
  #indexBytes = 0
  #evictions = 0
  #tmpReady: Promise<void> | undefined
  /** While prune() runs: names this process wrote meanwhile, which prune must not remove. */
  #writtenWhilePruning: Set<string> | undefined
  #pruning = 0
  #tmpCounter = 0
  readonly #tmpTag = `${process.pid}-${randomBytes(4).toString('hex')}`

  constructor(options: FileTierOptions) {
    if (typeof options?.dir !== 'string' || options.dir === '')
      throw new TypeError('dir option must be a non-empty path')
    if (
      options.maxBytes !== undefined &&
      (!Number.isInteger(options.maxBytes) || options.maxBytes < 1)
    ) {
      throw new TypeError(
        `maxBytes option must be a positive integer (got ${String(options.maxBytes)})`,
      )
    }
    this.dir = resolve(options.dir)
    this.#tmpDir = join(this.dir, TMP_DIR)
    this.#clock = options.clock ?? systemClock
    this.#maxBytes = options.maxBytes ?? Infinity
  }

  async get(key: string): Promise<Entry | undefined> {
    const name = keyToFileName(key)
    const path = join(this.dir, name)
    let bytes: Buffer
    try {
      bytes = await readWhole(path)
    } catch (err) {
      if (isMissing(err)) return undefined
      throw this.#fail('read', key, err)
    }
    const entry = parseEntry(bytes, key)
    if (entry === undefined || entry.expiresAt <= readClock(this.#clock)) {
      // Expired, corrupt or foreign: it will never be a hit again. Removed under the key's lock and only if
      // still so, since a set() may have replaced the file since it was read. The re-read is readFile's, which
      // reads on to the end of the file: a file is never removed as cut short on the word of readWhole, which
      // takes a short read for the end (true of local files; a FUSE or network mount may read short).
      await this.#writes.run(name, async () => {
        const current = await readFile(path).catch(() => undefined)
        if (current === undefined) return
        const again = parseEntry(current, key)
        if (again === undefined || again.expiresAt <= readClock(this.#clock))
          await this.#removeFile(name).catch(() => false)
      })
      return undefined
    }
    this.#touch(name)
    return entry
  }

  async set(entry: Entry): Promise<void> {
    if (entry.encoded === undefined) throw new TypeError('FileTier.set needs entry.encoded')
    const name = keyToFileName(entry.key)
    const parts = entryFileParts(entry)
    const mtime = expiryToMtime(entry.expiresAt)
    let written!: () => void
    const onDisk = new Promise<void>((resolve) => (written = resolve))
    const locked = this.#writes.run(name, async () => {
      try {
        await this.#writeAtomically(name, parts).catch((err: unknown) => {
          // The folder was removed from under us (a cache cleared by hand): the failed attempt made the
          // tier forget it, so one more attempt recreates it instead of losing this write.
          if (isMissing(err)) return this.#writeAtomically(name, parts)
          throw err
        })
      } catch (err) {
        throw this.#fail('write', entry.key, err)
      }
      this.#writtenWhilePruning?.add(name)
      written()
      // The expiry goes into the mtime for prune(), after the rename and without keeping the caller waiting:
      // the entry is whole on disk already. Still under the key's lock, so it stamps this write's file.
      await utimes(join(this.dir, name), mtime, mtime).catch(() => {})
    })
    await Promise.race([onDisk, locked])
    if (this.#maxBytes !== Infinity) await this.#account(name, partsLength(parts))
  }

  async delete(key: string): Promise<boolean> {
    const name = keyToFileName(key)
    return this.#writes.run(name, async () => {
      try {
        return await this.#removeFile(name)
      } catch (err) {
        throw this.#fail('delete', key, err)
      }
    })
  }

  async clear(match?: KeyPredicate): Promise<number> {
    const namePrefix = match?.prefix ? fileNamePrefix(match.prefix) : ''
    const names = await this.#entryNames()
    let removed = 0
    await eachLimited(names, async (name) => {
      if ((await this.#matches(name, match, namePrefix)) && (await this.#removeFile(name)))
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
    const names = await this.#entryNames()
    let removed = 0
    await eachLimited(names, async (name) => {
      let info: { mtimeMs: number; ctimeMs: number }
      try {
        info = await stat(join(this.dir, name))
      } catch {
        return
      }
      // A stamped file carries its expiry as mtime: one stat decides. Others (a stamp still on its way, a
      // writer that died first, a foreign or hand-edited file) have mtime = ctime, and their content decides.
      const stamped = Math.abs(info.mtimeMs - info.ctimeMs) > STAMP_TOLERANCE_MS
      const expired = stamped
        ? mtimeExpired(info.mtimeMs, now)
        : await this.#expiredByContent(name, now)
      if (!expired) return
      // Under the key's lock, and not if this process wrote the key meanwhile: a set() may have replaced it.
      const gone = await this.#writes.run(
        name,
        async () => !writtenMeanwhile.has(name) && (await this.#removeFile(name, true)),
      )
      if (gone) removed++
    })
    await this.#removeStaleTemps(now)
    // Rebuilt from disk on next need: other processes write here too.
    this.#index = undefined
    this.#indexLoad = undefined
    return removed
  }

  async stats(): Promise<TierStats> {
    const names = await this.#entryNames()
    let bytes = 0
    let entries = 0
    await eachLimited(names, async (name) => {
      try {
        const { size } = await stat(join(this.dir, name)) // awaited first: `bytes += await …` would lose updates
        bytes += size
        entries++
      } catch {
        // removed meanwhile
      }
    })
    return { entries, bytes, evictions: this.#evictions }
  }

  async close(): Promise<void> {}

  // --- Internal helpers ---

  async #writeAtomically(name: string, parts: readonly (string | Uint8Array)[]): Promise<void> {
    await (this.#tmpReady ??= mkdir(this.#tmpDir, { recursive: true }).then(() => undefined))
    const tmp = join(this.#tmpDir, `${this.#tmpTag}-${this.#tmpCounter++}`)
    let moved = false
    try {
      if (parts.length === 1) {
        await writeFile(tmp, parts[0]!, { flag: 'wx' })
      } else {
        const handle = await open(tmp, 'wx')
        try {
          await handle.writev(
            parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)),
          )
        } finally {
          await handle.close()
        }
      }
      // rename is atomic within one file system; the temp folder is inside dir for that reason.
      await rename(tmp, join(this.dir, name))
      moved = true
    } catch (err) {
      if (isMissing(err)) this.#tmpReady = undefined // someone removed the folder: recreate it next time
      throw err
    } finally {
      if (!moved) await unlink(tmp).catch(() => {})
    }
  }

  /** Unlinks an entry file; with `emptyDir`, an empty folder squatting on an entry name goes too (prune only). */
  async #removeFile(name: string, emptyDir = false): Promise<boolean> {
    try {
      await unlink(join(this.dir, name))
      this.#forget(name)
      return true
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // Checked before isMissing, which counts EISDIR as a miss: unlink of a folder fails with EISDIR (Linux) or EPERM (macOS).
      if (code === 'EISDIR' || code === 'EPERM')
        return (
          emptyDir &&
          rmdir(join(this.dir, name)).then(
            () => true,
            () => false,
          )
        )
      if (isMissing(err)) return false
      throw err
    }
  }

  async #entryNames(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((name) => name.endsWith(ENTRY_SUFFIX))
    } catch (err) {
      if (isMissing(err)) return []
      throw this.#fail('list', undefined, err)
    }
  }

  /**
   * Whether an entry file read in full is expired, unreadable or not ours: what prune removes. Read with
   * readFile, not readWhole, for the reason given in get(): this decides a removal.
   */
  async #expiredByContent(name: string, now: number): Promise<boolean> {
    let bytes: Buffer
    try {
      bytes = await readFile(join(this.dir, name))
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EISDIR' // a folder squatting on an entry name
    }
    const key = fileNameToKey(name) ?? (await this.#readKey(name))
    const entry = key === undefined ? undefined : parseEntry(bytes, key)
    return entry === undefined || entry.expiresAt <= now
  }

  async #matches(
    name: string,
    match: KeyPredicate | undefined,
    namePrefix: string | undefined,
  ): Promise<boolean> {
    if (!match) return true
    const key = fileNameToKey(name)
    if (key === undefined) return false // not a name this tier writes: left to prune()
    if (key === null) {
      const stored = await this.#readKey(name) // a hashed name: only the file knows its key
      return stored !== undefined && match(stored)
    }
    if (namePrefix !== undefined && !name.startsWith(namePrefix)) return false
    return match(key)
  }

  async #readKey(name: string): Promise<string | undefined> {
    try {
      const key = storedKey(await readWhole(join(this.dir, name)))
      return key !== undefined && keyToFileName(key) === name ? key : undefined
    } catch {
      return undefined
    }
  }

  async #removeStaleTemps(now: number): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.#tmpDir)
    } catch {
      return
    }
    await eachLimited(names, async (name) => {
      const path = join(this.#tmpDir, name)
      try {
        // ctime, not mtime: a finished temp file already carries its entry's expiry as mtime.
        if (now - (await stat(path)).ctimeMs > STALE_TMP_MS) await unlink(path)
      } catch {
        // gone meanwhile
      }
    })
  }

  async #account(name: string, size: number): Promise<void> {
    // One load shared by concurrent first writes; a failed load is forgotten, so the next write tries again.
    const index =
      this.#index ??
      (await (this.#indexLoad ??= this.#loadIndex().catch((err: unknown) => {
        this.#indexLoad = undefined
        throw err
      })))
    this.#indexBytes += size - (index.get(name) ?? 0)
    index.delete(name)
    index.set(name, size)
    for (const victim of index.keys()) {
      if (this.#indexBytes <= this.#maxBytes || victim === name) break
      // Under the victim's lock, so that a set() of that key in flight is not undone halfway.
      if (await this.#writes.run(victim, () => this.#removeFile(victim).catch(() => false)))
        this.#evictions++
      else this.#forget(victim)
    }
  }

  async #loadIndex(): Promise<Map<string, number>> {
    const found: { name: string; size: number; ctimeMs: number }[] = []
    await eachLimited(await this.#entryNames(), async (name) => {
      try {
        const info = await stat(join(this.dir, name))
        found.push({ name, size: info.size, ctimeMs: info.ctimeMs })
      } catch {
        // removed meanwhile
      }
    })
    found.sort((a, b) => a.ctimeMs - b.ctimeMs) // last written last: the best recency a fresh process can know
    this.#index = new Map(found.map((f) => [f.name, f.size]))
    this.#indexBytes = found.reduce((sum, f) => sum + f.size, 0)
    return this.#index
  }

  #touch(name: string): void {
    const size = this.#index?.get(name)
    if (size === undefined) return
    this.#index!.delete(name)
    this.#index!.set(name, size)
  }

  #forget(name: string): void {
    const size = this.#index?.get(name)
    if (size === undefined) return
    this.#index!.delete(name)
    this.#indexBytes -= size
  }

  #fail(action: string, key: string | undefined, cause: unknown): StorageError {
    if (cause instanceof StorageError) return cause
    return new StorageError(describeFailure(this.name, action, key, cause), {
      key,
      tier: this.name,
      cause,
    })
  }
}
Object.defineProperty(FileTier.prototype, FILE_TIER, { value: true })

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}

/** Runs `work` over `items` with at most IO_CONCURRENCY in flight. */
async function eachLimited<T>(
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(IO_CONCURRENCY, items.length) }, worker))
}
