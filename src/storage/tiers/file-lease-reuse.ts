import { randomBytes } from 'node:crypto'
import { closeSync, futimesSync, linkSync, open, unlinkSync, write } from 'node:fs'
import { join } from 'node:path'
import { codeOf } from './file-io'

/**
 * The lease file of one process, reused for every lease it takes. Creating and writing a file is the dear part
 * of a lease (on a busy ext4 disk, 1–4 ms each for the inode and the first write, against 0.1 ms for a link and
 * microseconds for a utimes), and every miss takes a lease. So each process writes one file (pid, host, token,
 * start time) once, in the background, and takes a lease by stamping that file's mtime (the heartbeat) and
 * linking it under the lease's name: the link fails with EEXIST exactly as an O_EXCL create does. Releasing
 * unlinks the lease's name. Leases held at once by one process share the file, its token and its heartbeat:
 * all are alive while the process renews any of them, and the token still tells them from another's.
 */

/** `<pid>-<8 hex digits>.own`: the pid tells cleanup() when its process is gone. */
const OWN_NAME = /^([0-9]+)-[0-9a-f]{8}\.own$/

interface Own {
  path: string
  fd: number
  token: string
}

export class ReusableLeaseFile {
  readonly #dir: string
  readonly #mode: number
  readonly #body: (token: string) => string
  #ready: Own | undefined
  #making = false
  #closed = false

  constructor(dir: string, mode: number, body: (token: string) => string) {
    this.#dir = dir
    this.#mode = mode
    this.#body = body
  }

  /**
   * Links the file as `path` with its mtime stamped now: its token when placed, false when `path` exists;
   * undefined when the file is not ready (the caller creates a lease file of its own meanwhile).
   */
  place(path: string): string | false | undefined {
    const own = this.#ready
    if (own === undefined) {
      this.#make()
      return undefined
    }
    try {
      const now = new Date()
      futimesSync(own.fd, now, now)
      linkSync(own.path, path)
      return own.token
    } catch (err) {
      if (codeOf(err) === 'EEXIST') return false
      // Removed from under us (a folder cleared by hand): made again for the next lease.
      this.#ready = undefined
      discard(own)
      return undefined
    }
  }

  /** Removes the file (Cache.close). Leases still linked to it stay until released or swept. */
  close(): void {
    this.#closed = true
    if (this.#ready) discard(this.#ready)
    this.#ready = undefined
  }

  #make(): void {
    if (this.#making || this.#closed) return
    this.#making = true
    const path = join(this.#dir, `${process.pid}-${randomBytes(4).toString('hex')}.own`)
    const token = randomBytes(8).toString('hex')
    const body = Buffer.from(this.#body(token))
    open(path, 'wx', this.#mode, (err, fd) => {
      if (err) {
        this.#making = false
        return // no folder yet, or a failing disk: leases are created one by one meanwhile
      }
      write(fd, body, 0, body.length, 0, (failed, written) => {
        this.#making = false
        const own = { path, fd, token }
        if (failed || written !== body.length || this.#ready || this.#closed) return discard(own)
        this.#ready = own
      })
    })
  }
}

/** The pid in the name of a process's lease file, or undefined when the name is not one. */
export function ownerPid(name: string): number | undefined {
  const match = OWN_NAME.exec(name)
  return match ? Number(match[1]) : undefined
}

function discard(own: { path: string; fd: number }): void {
  try {
    closeSync(own.fd)
  } catch {
    // closed already
  }
  try {
    unlinkSync(own.path)
  } catch {
    // removed already
  }
}
