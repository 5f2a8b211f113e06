import { randomBytes } from 'node:crypto'
import { unlinkSync } from 'node:fs'
import { lstat, mkdir, open, readdir, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { eachLimited } from '../../core/each-limited'
import type { HeldLease, LeaseProvider } from '../lease'
import type { CacheFolder } from './file-folder'
import { codeOf, isMissing, toStorageError } from './file-io'
import { ENTRY_SUFFIX, keyToFileName, LEASE_DIR } from './file-layout'
import { ownerPid, ReusableLeaseFile } from './file-lease-reuse'
import {
  createExclusive,
  isRunning,
  leaseBody,
  parseLease,
  readLease,
  removeIfOlder,
  type LeaseFile,
} from './file-lease-file'

/**
 * Leases of the file tier, for the processes of one host sharing a folder: `<dir>/.leases/<entry name>.lease`,
 * created with O_EXCL, holding the holder's pid, host, token and start time. The heartbeat is the file's mtime,
 * so staleness is judged on this host's clock against the file system's own record, whoever wrote it.
 *
 * Taking over a stale lease goes through a guard file (`.takeover`, also O_EXCL): only its holder may remove a
 * lease that is not its own, and it does so only after reading, under the guard, that the lease is still the
 * stale one it saw. So when many waiters find one stale lease, exactly one replaces it.
 */

const LEASE_SUFFIX = '.lease'
const GUARD_SUFFIX = '.takeover'
/** A replacement lease being written, before it is renamed over the stale one. */
const NEW_SUFFIX = '.lease-new'
/** A lease or guard untouched this long has no live holder, whatever its `leaseTtl` was: cleanup() removes it. */
const ORPHAN_MS = 60 * 60_000
/** A guard is held for a few file operations; one older than this belongs to a taker that died. */
const STALE_GUARD_MS = 10_000

export class FileLeases implements LeaseProvider {
  readonly pollMs = 20
  readonly dir: string
  readonly #folder: CacheFolder
  readonly #own: ReusableLeaseFile
  #ready: Promise<void> | undefined

  constructor(folder: CacheFolder) {
    this.#folder = folder
    this.dir = join(folder.dir, LEASE_DIR)
    this.#own = new ReusableLeaseFile(this.dir, folder.fileMode, leaseBody)
  }

  /** Removes this process's reusable lease file. */
  close(): void {
    this.#own.close()
  }

  async tryAcquire(key: string, ttlMs: number): Promise<HeldLease | undefined> {
    const stem = keyToFileName(key).slice(0, -ENTRY_SUFFIX.length)
    const path = join(this.dir, stem + LEASE_SUFFIX)
    try {
      const created = await this.#create(path)
      if (created) return new FileLease(path, created, ttlMs, false)
      const seen = await readLease(path)
      if (seen === undefined || Date.now() - seen.mtimeMs < ttlMs) return undefined
      const token = randomBytes(8).toString('hex')
      const body = leaseBody(token)
      const guard = join(this.dir, stem + GUARD_SUFFIX)
      const replacement = join(this.dir, `${stem}.${token}${NEW_SUFFIX}`)
      return (await this.#takeOver(path, guard, replacement, seen, body, ttlMs))
        ? new FileLease(path, token, ttlMs, true)
        : undefined
    } catch (err) {
      throw toStorageError('take the lease on', key, err)
    }
  }

  /**
   * Removes leases and guards whose holder is gone: a holder on this host whose process no longer runs, or
   * one that has not renewed for an hour (far longer than any lease lives unrenewed). Returns how many.
   */
  async sweep(): Promise<number> {
    let names: string[]
    try {
      if (!(await lstat(this.dir)).isDirectory()) return 0
      names = await readdir(this.dir)
    } catch {
      return 0
    }
    let removed = 0
    const host = hostname()
    await eachLimited(names, async (name) => {
      const path = join(this.dir, name)
      const owner = ownerPid(name)
      if (owner !== undefined) {
        if (!isRunning(owner))
          await unlink(path).then(
            () => removed++,
            () => {},
          )
        return
      }
      if (![LEASE_SUFFIX, GUARD_SUFFIX, NEW_SUFFIX].some((suffix) => name.endsWith(suffix))) return
      const seen = await readLease(path).catch(() => undefined)
      if (seen === undefined) return
      const age = Date.now() - seen.mtimeMs
      const holderGone = seen.host === host && seen.pid !== undefined && !isRunning(seen.pid)
      if (age < ORPHAN_MS && !holderGone) return
      // Read again just before: a lease replaced meanwhile (another token) is someone's live lease.
      const again = await readLease(path).catch(() => undefined)
      if (
        again?.token === seen.token &&
        (await unlink(path).then(
          () => true,
          () => false,
        ))
      )
        removed++
    })
    return removed
  }

  /**
   * Creates `path` exclusively (this process's lease file linked in place, else O_EXCL): the lease's token, or
   * false when it exists. Makes the lease
   * folder on first use. Synchronous calls, on purpose: every miss takes a lease, and the thread pool's round
   * trips (open, write, close) cost the uncontended miss more than these few system calls do.
   */
  async #create(path: string, token?: string): Promise<string | false> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (token === undefined) {
          const placed = this.#own.place(path)
          if (placed !== undefined) return placed
        }
        const own = token ?? randomBytes(8).toString('hex')
        return createExclusive(path, leaseBody(own), this.#folder.fileMode) && own
      } catch (err) {
        if (!isMissing(err) || attempt > 0) throw err
        this.#ready = undefined
        await this.#prepare()
      }
    }
  }

  /** The cache folder (ours, tagged) and its `.leases` folder, which must be a real folder, never a link. */
  #prepare(): Promise<void> {
    return (this.#ready ??= (async () => {
      await this.#folder.prepareWrite()
      try {
        await mkdir(this.dir, { mode: this.#folder.dirMode })
        await this.#folder.applyMode(this.dir, this.#folder.dirMode)
      } catch (err) {
        if (codeOf(err) !== 'EEXIST') throw err
      }
      if (!(await lstat(this.dir)).isDirectory())
        throw Object.assign(new Error(`${this.dir} is not a folder`), { code: 'ENOTDIR' })
    })().catch((err: unknown) => {
      this.#ready = undefined
      throw err
    }))
  }

  /**
   * Replaces the stale lease `seen` with ours, under the guard; false when another process got there first.
   * The new lease is renamed over the stale one, so the name is never free for a plain O_EXCL create meanwhile.
   */
  async #takeOver(
    path: string,
    guard: string,
    replacement: string,
    seen: LeaseFile,
    body: string,
    ttlMs: number,
  ): Promise<boolean> {
    if (!(await this.#create(guard, 'guard'))) {
      await removeIfOlder(guard, STALE_GUARD_MS)
      return false
    }
    try {
      const again = await readLease(path)
      // Gone (released: plain creation is open to all), renewed, or replaced meanwhile: not ours to take.
      if (again === undefined || again.token !== seen.token || Date.now() - again.mtimeMs < ttlMs)
        return false
      await writeFile(replacement, body, { flag: 'wx', mode: this.#folder.fileMode })
      try {
        await rename(replacement, path)
      } catch (err) {
        await unlink(replacement).catch(() => {})
        throw err
      }
      return true
    } finally {
      await unlink(guard).catch(() => {})
    }
  }
}

/** A lease file this process created. */
class FileLease implements HeldLease {
  /** performance.now() of the last heartbeat (creation or renewal). */
  #beat = performance.now()

  constructor(
    readonly path: string,
    readonly token: string,
    readonly ttlMs: number,
    readonly tookOver: boolean,
  ) {}

  async renew(): Promise<boolean> {
    let handle
    try {
      handle = await open(this.path, 'r+')
    } catch (err) {
      if (isMissing(err)) return false
      throw toStorageError('renew the lease', undefined, err)
    }
    try {
      // Token read and mtime set through one handle: they concern the same file even if it is replaced meanwhile.
      if (parseLease(await handle.readFile())?.token !== this.token) return false
      const now = new Date()
      await handle.utimes(now, now)
      this.#beat = performance.now()
      return true
    } catch (err) {
      throw toStorageError('renew the lease', undefined, err)
    } finally {
      await handle.close().catch(() => {})
    }
  }

  async release(): Promise<void> {
    try {
      // Beaten less than half a ttl ago: no waiter can have found it stale, so the file is still ours.
      if (performance.now() - this.#beat >= this.ttlMs / 2) {
        const current = await readLease(this.path)
        if (current?.token !== this.token) return
      }
      unlinkSync(this.path) // synchronous for the reason given at createExclusive
    } catch {
      // Gone already, or the disk fails: a lease left behind goes stale and is taken over or swept.
    }
  }
}
