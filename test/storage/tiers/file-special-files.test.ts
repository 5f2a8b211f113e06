import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { FileTier } from '../../../src/storage/tiers/file'
import { keyToFileName } from '../../../src/storage/tiers/file-layout'
import { makeEntry } from '../../../src/testing/tier-suite'
import { FakeClock } from '../../../src/testing/fake-clock'
import { isRoot, makeFifo, releaseFifos, withinMs } from '../../helpers/special-files'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()
afterEach(releaseFifos)

/** Generous: a call that does not block settles in milliseconds; one that blocks never does. */
const BOUND_MS = 5_000
const later = () => Date.now() + 3_600_000
const linux = process.platform === 'linux'

/** A folder the tier made and tagged, holding the entry 'good'. */
async function ownFolder(): Promise<{ dir: string; tier: FileTier }> {
  const dir = join(makeTempDir(), 'cache')
  const tier = new FileTier({ dir, clock: new FakeClock(Date.now() + 60_000) })
  await tier.set(makeEntry('good', 'kept', later()))
  return { dir, tier }
}

const entryPath = (dir: string, key: string) => join(dir, keyToFileName(key))

/**
 * Anything in the folder that is not a regular file is a miss: it is never read, never blocks, and cleanup()
 * removes it without following it.
 */
;(linux ? describe : describe.skip)('FileTier: files that are not regular files', () => {
  it('a FIFO named like an entry is a miss and never blocks', async () => {
    const { dir, tier } = await ownFolder()
    makeFifo(entryPath(dir, 'k'))
    expect(await withinMs(tier.get('k'), BOUND_MS)).toBeUndefined()
  })

  it('five FIFOs read at once leave the libuv thread pool free: other fs calls still complete', async () => {
    const { dir, tier } = await ownFolder()
    const keys = ['f1', 'f2', 'f3', 'f4', 'f5']
    for (const key of keys) makeFifo(entryPath(dir, key))
    const reads = Promise.all(keys.map((key) => tier.get(key)))
    expect(
      await withinMs(
        stat(dir).then(() => 'done'),
        BOUND_MS,
      ),
    ).toBe('done')
    expect(await withinMs(reads, BOUND_MS)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect((await tier.get('good'))?.value).toBe('kept')
  })

  it('a symlink to /dev/zero is a miss and is not read', async () => {
    const { dir, tier } = await ownFolder()
    symlinkSync('/dev/zero', entryPath(dir, 'zero'))
    const rssBefore = process.memoryUsage().rss
    expect(await withinMs(tier.get('zero'), BOUND_MS)).toBeUndefined()
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024)
  })

  it('a symlink loop and a dangling symlink are misses, not storage errors', async () => {
    const { dir, tier } = await ownFolder()
    symlinkSync(entryPath(dir, 'b'), entryPath(dir, 'a'))
    symlinkSync(entryPath(dir, 'a'), entryPath(dir, 'b'))
    symlinkSync(join(dir, 'nowhere'), entryPath(dir, 'dangling'))
    symlinkSync(entryPath(dir, 'self'), entryPath(dir, 'self'))
    for (const key of ['a', 'b', 'dangling', 'self'])
      await expect(tier.get(key)).resolves.toBeUndefined()
  })

  it('a directory named like an entry is a miss; cleanup() removes it only when empty', async () => {
    const { dir, tier } = await ownFolder()
    mkdirSync(entryPath(dir, 'empty-dir'))
    mkdirSync(entryPath(dir, 'full-dir'))
    writeFileSync(join(entryPath(dir, 'full-dir'), 'inside.txt'), 'user data')
    expect(await tier.get('empty-dir')).toBeUndefined()
    expect(await tier.get('full-dir')).toBeUndefined()
    await tier.prune()
    expect(existsSync(entryPath(dir, 'empty-dir'))).toBe(false)
    expect(existsSync(join(entryPath(dir, 'full-dir'), 'inside.txt'))).toBe(true)
  })

  it('cleanup() removes FIFOs, sockets, loops and dangling links without opening or following them, and never blocks', async () => {
    const { dir, tier } = await ownFolder()
    makeFifo(entryPath(dir, 'fifo'))
    makeFifo(join(dir, `=${'a'.repeat(64)}.json`)) // a hashed name: clear(match) would read its key
    symlinkSync(entryPath(dir, 'loop'), entryPath(dir, 'loop'))
    symlinkSync(join(dir, 'gone'), entryPath(dir, 'dangling'))
    symlinkSync('/dev/zero', entryPath(dir, 'zero'))
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(entryPath(dir, 'socket'), resolve))
    await new Promise((resolve) => server.close(resolve))
    const planted = ['fifo', 'loop', 'dangling', 'zero', 'socket'].map((key) => keyToFileName(key))
    if (!existsSync(entryPath(dir, 'socket'))) planted.pop() // this Node removed its socket on close
    expect(await withinMs(tier.stats(), BOUND_MS)).toMatchObject({ entries: 1 })
    expect(
      await withinMs(
        tier.clear((key) => key === 'nothing'),
        BOUND_MS,
      ),
    ).toBe(0)
    expect(await withinMs(tier.prune(), BOUND_MS)).toBe(planted.length + 1)
    expect(readdirSync(dir).sort()).toEqual(['.tmp', 'CACHEDIR.TAG', 'good.json'])
    expect(existsSync('/dev/zero')).toBe(true)
    expect((await tier.get('good'))?.value).toBe('kept')
  })

  it('a FIFO or a loop in the way of a write is replaced by the entry', async () => {
    const { dir, tier } = await ownFolder()
    makeFifo(entryPath(dir, 'fifo'))
    symlinkSync(entryPath(dir, 'loop'), entryPath(dir, 'loop'))
    await tier.set(makeEntry('fifo', 1, later()))
    await tier.set(makeEntry('loop', 2, later()))
    expect(lstatSync(entryPath(dir, 'fifo')).isFile()).toBe(true)
    expect((await tier.get('fifo'))?.value).toBe(1)
    expect((await tier.get('loop'))?.value).toBe(2)
  })

  ;(isRoot ? it : it.skip)(
    'a device node named like an entry is a miss and cleanup() removes the node (needs root for mknod)',
    async () => {
      const { dir, tier } = await ownFolder()
      execFileSync('mknod', [entryPath(dir, 'dev'), 'c', '1', '5']) // the numbers of /dev/zero
      expect(await withinMs(tier.get('dev'), BOUND_MS)).toBeUndefined()
      expect(await tier.prune()).toBe(1)
      expect(existsSync(entryPath(dir, 'dev'))).toBe(false)
    },
  )
})
