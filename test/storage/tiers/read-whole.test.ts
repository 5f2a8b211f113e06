import { randomBytes } from 'node:crypto'
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  renameSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import {
  readHead,
  readToEnd,
  readWhole,
  SCRATCH_BYTES,
} from '../../../src/storage/tiers/read-whole'
import { makeFifo, releaseFifos, withinMs } from '../../helpers/special-files'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'
import type * as nodeFs from 'node:fs'
import type * as ReadWholeModule from '../../../src/storage/tiers/read-whole'

useTempDirs()

const openFds = () => readdirSync('/proc/self/fd').length
const linux = process.platform === 'linux'

/** The count of open descriptors once it has stopped falling (readWhole does not wait for its closes). */
async function settledFdCount(atMost = Infinity): Promise<number> {
  const deadline = Date.now() + 5_000
  let last = openFds()
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    const now = openFds()
    if ((now === last && now <= atMost) || Date.now() > deadline) return now
    last = now
  }
}

describe('readWhole', () => {
  it('uses a 64 KiB first read', () => {
    expect(SCRATCH_BYTES).toBe(64 * 1024)
  })

  it.each([
    ['an empty file', 0],
    ['1 byte', 1],
    ['1 KB', 1000],
    ['64 KiB - 1', 64 * 1024 - 1],
    ['exactly 64 KiB', 64 * 1024],
    ['64 KiB + 1', 64 * 1024 + 1],
    ['128 KiB', 128 * 1024],
    ['3 MiB of random bytes', 3 * 1024 * 1024],
  ])('reads %s exactly', async (_name, size) => {
    const path = join(makeTempDir(), 'file')
    const bytes = randomBytes(size)
    writeFileSync(path, bytes)
    const back = await readWhole(path)
    expect(Buffer.isBuffer(back)).toBe(true)
    expect(back.length).toBe(size)
    expect(back.equals(bytes)).toBe(true)
  })

  it('returns exact-size Buffers of their own for small files, not views of a scratch buffer', async () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'a'), 'first file')
    writeFileSync(join(dir, 'b'), 'second, longer file')
    const a = await readWhole(join(dir, 'a'))
    const b = await readWhole(join(dir, 'b'))
    expect(a.toString()).toBe('first file') // not overwritten by the second read
    expect(b.toString()).toBe('second, longer file')
    expect(a.buffer.byteLength).toBe(a.length)
    expect(a.buffer).not.toBe(b.buffer)
  })

  it('200 concurrent reads of different files all come back right (no scratch buffer is shared)', async () => {
    const dir = makeTempDir()
    const sizes = Array.from(
      { length: 200 },
      (_, i) =>
        [1, 100, 1000, 20_000, SCRATCH_BYTES - 1, SCRATCH_BYTES, SCRATCH_BYTES + 1, 200_000][
          i % 8
        ]! +
        (i >> 3),
    )
    const contents = sizes.map((size, i) => {
      const bytes = randomBytes(size)
      writeFileSync(join(dir, `f${i}`), bytes)
      return bytes
    })
    // All 200 at once; then 16 at a time, so that later reads take scratch buffers that earlier ones gave
    // back. Every result is compared only at the end: one overwritten by a later read would show.
    const atOnce = await Promise.all(contents.map((_, i) => readWhole(join(dir, `f${i}`))))
    const inTurn: Buffer[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < contents.length) {
          const i = next++
          inTurn[i] = await readWhole(join(dir, `f${i}`))
        }
      }),
    )
    for (const back of [atOnce, inTurn]) {
      back.forEach((bytes, i) => {
        expect(bytes.length).toBe(contents[i]!.length)
        expect(bytes.equals(contents[i]!)).toBe(true)
      })
    }
  })

  it('a missing file rejects with code ENOENT', async () => {
    await expect(readWhole(join(makeTempDir(), 'nope'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('a missing folder on the path rejects with code ENOENT', async () => {
    await expect(readWhole(join(makeTempDir(), 'no', 'such', 'file'))).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })

  it('a file used as a folder on the path rejects with code ENOTDIR', async () => {
    const dir = makeTempDir()
    writeFileSync(join(dir, 'file'), 'x')
    await expect(readWhole(join(dir, 'file', 'below'))).rejects.toMatchObject({ code: 'ENOTDIR' })
  })

  it('a folder rejects with code EISDIR', async () => {
    const dir = makeTempDir()
    mkdirSync(join(dir, 'folder'))
    await expect(readWhole(join(dir, 'folder'))).rejects.toMatchObject({ code: 'EISDIR' })
  })

  ;(linux && process.getuid?.() !== 0 ? it : it.skip)(
    'an unreadable file rejects with code EACCES',
    async () => {
      const path = join(makeTempDir(), 'secret')
      writeFileSync(path, 'x', { mode: 0o000 })
      await expect(readWhole(path)).rejects.toMatchObject({ code: 'EACCES' })
    },
  )

  ;(linux ? it : it.skip)(
    'leaks no file descriptor over 500 reads, failing ones included',
    async () => {
      const dir = makeTempDir()
      mkdirSync(join(dir, 'folder'))
      writeFileSync(join(dir, 'small'), 'small')
      writeFileSync(join(dir, 'large'), randomBytes(3 * SCRATCH_BYTES + 7))
      writeFileSync(join(dir, 'empty'), '')
      const paths = ['small', 'large', 'empty', 'folder', 'missing'].map((name) => join(dir, name))
      await readWhole(paths[0]!) // the first read loads what it needs once
      const before = await settledFdCount()
      const outcomes = await Promise.allSettled(
        Array.from({ length: 500 }, (_, i) => readWhole(paths[i % paths.length]!)),
      )
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(200)
      expect(await settledFdCount(before)).toBeLessThanOrEqual(before)
    },
  )

  ;(linux ? describe : describe.skip)('what is not a regular file is never read', () => {
    afterEach(releaseFifos)

    it('a FIFO rejects with ERR_NOT_REGULAR_FILE at once, without blocking', async () => {
      const fifo = makeFifo(join(makeTempDir(), 'fifo'))
      const outcome = await withinMs(
        readWhole(fifo).catch((err: NodeJS.ErrnoException) => err.code),
        5_000,
      )
      expect(outcome).toBe('ERR_NOT_REGULAR_FILE')
      await expect(readToEnd(fifo)).rejects.toMatchObject({ code: 'ERR_NOT_REGULAR_FILE' })
      await expect(readHead(fifo, 8)).rejects.toMatchObject({ code: 'ERR_NOT_REGULAR_FILE' })
    })

    it('a symlink rejects with ELOOP, even to a regular file: it is never followed', async () => {
      const dir = makeTempDir()
      writeFileSync(join(dir, 'real'), 'data')
      symlinkSync(join(dir, 'real'), join(dir, 'link'))
      symlinkSync('/dev/zero', join(dir, 'zero'))
      for (const read of [readWhole, readToEnd, (path: string) => readHead(path, 8)]) {
        await expect(read(join(dir, 'link'))).rejects.toMatchObject({ code: 'ELOOP' })
        await expect(read(join(dir, 'zero'))).rejects.toMatchObject({ code: 'ELOOP' })
      }
    })

    it('a character device is refused before any read', async () => {
      await expect(readWhole('/dev/zero')).rejects.toMatchObject({ code: 'ERR_NOT_REGULAR_FILE' })
    })
  })

  it('readToEnd and readHead read regular files', async () => {
    const path = join(makeTempDir(), 'file')
    const bytes = randomBytes(3 * SCRATCH_BYTES + 5)
    writeFileSync(path, bytes)
    expect((await readToEnd(path)).equals(bytes)).toBe(true)
    expect((await readHead(path, 13)).equals(bytes.subarray(0, 13))).toBe(true)
    writeFileSync(path, 'abc')
    expect((await readHead(path, 13)).toString()).toBe('abc')
  })

  it('reads a file that is being replaced by rename as one whole version or the other', async () => {
    const dir = makeTempDir()
    const path = join(dir, 'entry')
    const versions = [randomBytes(SCRATCH_BYTES * 2 + 3), randomBytes(500)]
    writeFileSync(path, versions[0]!)
    for (let i = 0; i < 50; i++) {
      const reading = readWhole(path)
      const next = versions[(i + 1) % 2]!
      writeFileSync(join(dir, 'tmp'), next)
      renameSync(join(dir, 'tmp'), path)
      const got = await reading
      expect(versions.some((v) => v.equals(got))).toBe(true)
    }
  })

  describe('a file that changes size between the fstat and the reads after it', () => {
    /** readWhole loaded with an fs whose fstat runs `change` on the file just after measuring it. */
    const withChangeAfterFstat = (change: (fd: number) => void): typeof readWhole => {
      let loaded!: typeof readWhole
      jest.isolateModules(() => {
        jest.doMock('node:fs', () => {
          const fs = jest.requireActual<typeof nodeFs>('node:fs')
          return {
            ...fs,
            fstat: (
              fd: number,
              callback: (err: NodeJS.ErrnoException | null, stats: nodeFs.Stats) => void,
            ) =>
              fs.fstat(fd, (err, stats) => {
                if (!err) change(fd)
                callback(err, stats)
              }),
          }
        })
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module, with the mock, inside isolateModules
        loaded = (require('../../../src/storage/tiers/read-whole') as typeof ReadWholeModule)
          .readWhole
      })
      jest.dontMock('node:fs')
      return loaded
    }

    it.each([
      ['grew by a few bytes', 5],
      ['grew by 1 byte', 1],
      ['grew to several times its size', 5 * SCRATCH_BYTES],
    ])('%s: read on to the end', async (_name, extra) => {
      const path = join(makeTempDir(), 'growing')
      const start = randomBytes(SCRATCH_BYTES + 1000)
      const more = randomBytes(extra)
      writeFileSync(path, start)
      const read = withChangeAfterFstat(() => appendFileSync(path, more))
      const back = await read(path)
      expect(back.length).toBe(start.length + more.length)
      expect(back.equals(Buffer.concat([start, more]))).toBe(true)
    })

    it.each([
      ['shrank a little', SCRATCH_BYTES + 10],
      ['shrank to exactly the first read', SCRATCH_BYTES],
      ['shrank below the first read', 100],
    ])('%s: stops at the end', async (_name, length) => {
      const path = join(makeTempDir(), 'shrinking')
      const bytes = randomBytes(SCRATCH_BYTES * 3)
      writeFileSync(path, bytes)
      const back = await withChangeAfterFstat(() => truncateSync(path, length))(path)
      // The fstat comes before any read (it decides whether the file may be read at all): all of the cut is seen.
      const expected = bytes.subarray(0, length)
      expect(back.length).toBe(expected.length)
      expect(back.equals(expected)).toBe(true)
      expect(back.buffer.byteLength).toBeLessThanOrEqual(back.length + 1)
    })
  })
})
