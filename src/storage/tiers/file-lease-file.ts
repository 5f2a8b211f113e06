import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs'
import { lstat, open, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { codeOf, isMissing } from './file-io'

/** A lease file of the file tier: what it holds, and the few file operations on it (see file-lease.ts). */

export interface LeaseFile {
  token: string
  pid?: number
  host?: string
  mtimeMs: number
}

const CREATE_FLAGS =
  constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0)

/** Creates `path` holding `body`, unless it exists (false). A file it could not fill is removed again. */
export function createExclusive(path: string, body: string, mode: number): boolean {
  let fd: number
  try {
    fd = openSync(path, CREATE_FLAGS, mode)
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false
    throw err
  }
  try {
    writeSync(fd, body)
  } catch (err) {
    closeSync(fd)
    unlinkSync(path) // an empty lease would hold the key until it went stale
    throw err
  }
  closeSync(fd)
  return true
}

/** What a lease file holds. */
export function leaseBody(token: string): string {
  return JSON.stringify({ pid: process.pid, host: hostname(), token, startedAt: Date.now() })
}

/** The lease file at `path` (its token and mtime), or undefined when there is none. */
export async function readLease(path: string): Promise<LeaseFile | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
  try {
    // One handle: the content and the mtime belong to the same file.
    const [bytes, info] = await Promise.all([handle.readFile(), handle.stat()])
    return { token: '', ...parseLease(bytes), mtimeMs: info.mtimeMs }
  } finally {
    await handle.close().catch(() => {})
  }
}

/** The fields of a lease file; a file its creator has not written yet (or a foreign one) has none. */
export function parseLease(bytes: Buffer): Omit<LeaseFile, 'mtimeMs'> | undefined {
  try {
    const parsed = JSON.parse(bytes.toString()) as Partial<LeaseFile>
    if (typeof parsed?.token !== 'string') return undefined
    return {
      token: parsed.token,
      pid: typeof parsed.pid === 'number' ? parsed.pid : undefined,
      host: typeof parsed.host === 'string' ? parsed.host : undefined,
    }
  } catch {
    return undefined
  }
}

export async function removeIfOlder(path: string, ms: number): Promise<void> {
  try {
    if (Date.now() - (await lstat(path)).mtimeMs > ms) await unlink(path)
  } catch {
    // gone meanwhile
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return codeOf(err) === 'EPERM' // it runs, as another user
  }
}
