import { close, constants, fstat, open, read, type Stats } from 'node:fs'
import { open as openHandle } from 'node:fs/promises'

/**
 * Reading a whole regular file safely, with as few awaited fs calls as possible.
 *
 * Safely: the file is opened non-blocking and without following a symlink, and `fstat` must say it is a
 * regular file before a byte is read. A FIFO, socket, device, folder or symlink named like an entry is
 * therefore never read and never blocks a libuv thread (a FIFO would hold one forever, /dev/zero would
 * read gigabytes).
 *
 * Every asynchronous fs call is one round trip through libuv's thread pool (30–40 µs on a busy machine), so
 * the number of calls the caller waits for is the cost. `fs.promises.readFile` waits for open, fstat, one
 * read or more, a read that finds the end, and close. `readWhole` waits for open, fstat and one read into a
 * 64 KiB scratch buffer: a read that does not fill it has reached the end of the file, which is the whole
 * file for any entry under 64 KiB. The close is not waited for (see `closeQuietly`).
 *
 * It relies on what holds for regular files: a read returns fewer bytes than asked for only at the end of the
 * file. (A file whose reads come back short before its end, such as some /proc files, would read truncated;
 * an entry file is never one, and a truncated entry parses as a miss anyway.)
 */

/** The size of the first read. Files shorter than this take two awaited calls: open and read. */
export const SCRATCH_BYTES = 64 * 1024
/** How many scratch buffers are kept for reuse between reads (a free list: at most 512 KiB held). */
const MAX_SPARE_SCRATCH = 8
/** Reads are asked for in pieces no larger than this, well under Linux's cap of 0x7ffff000 bytes per read. */
const MAX_READ_BYTES = 1 << 30
/** The largest file read: as `fs.readFile`, which refuses larger ones with ERR_FS_FILE_TOO_LARGE. */
const MAX_FILE_BYTES = 2 ** 31 - 1
/** Never blocks (a FIFO without a writer), never follows a symlink in the last component (ELOOP instead). */
export const SAFE_READ_FLAGS =
  constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0)

/**
 * Scratch buffers not in use. A read takes one for its first read and gives it back once that read has
 * completed and its bytes were copied out, so no two reads in flight ever share one, and no returned Buffer
 * is a view into one.
 */
const spareScratch: Buffer[] = []

/**
 * The bytes of the regular file at `path`, in a Buffer of exactly the file's length. Errors are Node's own,
 * with their `code` (ENOENT, EACCES, ELOOP for a symlink, …), plus EISDIR for a folder and
 * ERR_NOT_REGULAR_FILE for a FIFO, socket or device. The file descriptor is always closed, on every path.
 */
export async function readWhole(path: string): Promise<Buffer> {
  const fd = await openForReading(path)
  let scratch: Buffer | undefined
  try {
    const { size } = checkRegular(await fstatOf(fd), path)
    if (size > MAX_FILE_BYTES) throw fileTooLarge(size)
    scratch = spareScratch.pop() ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES)
    const first = await readAt(fd, scratch, 0, SCRATCH_BYTES, 0)
    if (first < SCRATCH_BYTES) {
      // The whole file: an exact-size copy of it, and the scratch buffer goes back for the next read.
      const bytes = Buffer.allocUnsafeSlow(first)
      scratch.copy(bytes, 0, 0, first)
      return bytes
    }
    // One byte more than fstat says: a read that stops short of filling it has found the end without
    // another call. Filling it means the file grew meanwhile: it is then read on until a read finds the end.
    let buffer = Buffer.allocUnsafeSlow(Math.max(size, first) + 1)
    scratch.copy(buffer, 0, 0, first)
    releaseScratch(scratch)
    scratch = undefined
    let length = first
    for (;;) {
      if (length === buffer.length) {
        if (length >= MAX_FILE_BYTES) throw fileTooLarge(length)
        const bigger = Buffer.allocUnsafeSlow(
          Math.min(MAX_FILE_BYTES + 1, Math.max(2 * length, length + SCRATCH_BYTES)),
        )
        buffer.copy(bigger, 0, 0, length)
        buffer = bigger
      }
      const wanted = Math.min(buffer.length - length, MAX_READ_BYTES)
      const got = await readAt(fd, buffer, length, wanted, length)
      length += got
      if (got < wanted) break // the end of the file (a read of 0 bytes included: it shrank)
    }
    // Usually the file is as fstat said, and the result a view of all but the spare byte; otherwise (it
    // grew or shrank) an exact-size copy, so a much larger buffer is not kept alive for a few bytes.
    if (length === buffer.length - 1) return buffer.subarray(0, length)
    const bytes = Buffer.allocUnsafeSlow(length)
    buffer.copy(bytes, 0, 0, length)
    return bytes
  } finally {
    // Only once the read into it has completed (every await above has settled by now): a pending read
    // would still be writing into it.
    if (scratch !== undefined) releaseScratch(scratch)
    closeQuietly(fd)
  }
}

/**
 * The whole file read on until a read returns nothing, for decisions to remove a file: a short read is never
 * taken for its end (true of local files, not of every FUSE or network mount). Same safety as `readWhole`.
 */
export async function readToEnd(path: string): Promise<Buffer> {
  const handle = await openHandle(path, SAFE_READ_FLAGS)
  try {
    checkRegular(await handle.stat(), path)
    return await handle.readFile()
  } finally {
    await handle.close().catch(ignore)
  }
}

/** The first `length` bytes of the regular file at `path` (fewer if it is shorter). Same safety as `readWhole`. */
export async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await openHandle(path, SAFE_READ_FLAGS)
  try {
    checkRegular(await handle.stat(), path)
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close().catch(ignore)
  }
}

/** `info` if it is a regular file's; otherwise an error with a code, never a read. */
function checkRegular(info: Stats, path: string): Stats {
  if (info.isFile()) return info
  const [code, what] = info.isDirectory()
    ? ['EISDIR', 'a folder']
    : ['ERR_NOT_REGULAR_FILE', 'not a regular file']
  throw Object.assign(new Error(`${code}: ${path} is ${what}`), { code, path })
}

function releaseScratch(scratch: Buffer): void {
  if (spareScratch.length < MAX_SPARE_SCRATCH) spareScratch.push(scratch)
}

/**
 * Closes `fd` without making anyone wait. The bytes are already in memory, and close of a file opened for
 * reading has nothing to report that a reader could act on (no data to lose, unlike after a write), so
 * waiting for it would only add a thread-pool round trip to every read. The descriptor is released a moment
 * later; errors are ignored.
 */
function closeQuietly(fd: number): void {
  close(fd, ignore)
}

function ignore(): void {}

function openForReading(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, SAFE_READ_FLAGS, (err, fd) => (err ? reject(err) : resolve(fd))),
  )
}

function readAt(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, offset, length, position, (err, bytesRead) =>
      err ? reject(err) : resolve(bytesRead),
    ),
  )
}

function fstatOf(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) =>
    fstat(fd, (err, stats) => (err ? reject(err) : resolve(stats))),
  )
}

function fileTooLarge(size: number): RangeError {
  return Object.assign(new RangeError(`File size (${size}) is greater than 2 GiB`), {
    code: 'ERR_FS_FILE_TOO_LARGE',
  })
}
