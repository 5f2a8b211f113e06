import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { Cache } from '../../../src/storage/cache'
import { FileTier } from '../../../src/storage/tiers/file'
import { keyToFileName } from '../../../src/storage/tiers/file-layout'
import { makeEntry } from '../../../src/testing/tier-suite'
import { FakeClock } from '../../../src/testing/fake-clock'
import { listTree, makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

const TAG_SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55'
const later = () => Date.now() + 3_600_000
/** A tier whose clock runs ahead of the wall clock: planted files look old, so prune() considers them. */
const ahead = (dir: string, ms = 11 * 60_000, options = {}) =>
  new FileTier({ dir, clock: new FakeClock(Date.now() + ms), ...options })
const mode = (path: string) => statSync(path).mode & 0o777

/** A folder the tier made and tagged, holding one entry. */
async function ownFolder(): Promise<string> {
  const dir = join(makeTempDir(), 'cache')
  await new FileTier({ dir }).set(makeEntry('k', 'v', later()))
  return dir
}

/** A folder outside the cache whose files must survive anything the cache does. */
function bystanderFolder(): { dir: string; snapshot: () => string[] } {
  const dir = makeTempDir('tiercache-bystander-')
  const old = (Date.now() - 3_600_000) / 1000
  for (const name of ['precious.txt', 'data.json', '12345-deadbeef-0', 'k.json']) {
    writeFileSync(join(dir, name), `bystander ${name}`)
    utimesSync(join(dir, name), old, old)
  }
  return {
    dir,
    snapshot: () =>
      listTree(dir).concat(readdirSync(dir).map((n) => readFileSync(join(dir, n), 'utf8'))),
  }
}

describe('FileTier: the folder is ours, and only ours', () => {
  describe('a new folder is tagged as a cache', () => {
    it('creating the folder writes a CACHEDIR.TAG (Cache Directory Tagging Specification)', async () => {
      const dir = await ownFolder()
      const tag = readFileSync(join(dir, 'CACHEDIR.TAG'), 'utf8')
      expect(tag.split('\n')[0]).toBe(TAG_SIGNATURE)
      expect(tag).toMatch(/tiercache/)
    })

    it('an empty existing folder is adopted and tagged', async () => {
      const dir = makeTempDir()
      const tier = new FileTier({ dir })
      await tier.set(makeEntry('k', 1, later()))
      expect(readFileSync(join(dir, 'CACHEDIR.TAG'), 'utf8').startsWith(TAG_SIGNATURE)).toBe(true)
      expect((await tier.get('k'))?.value).toBe(1)
    })

    it('the cache keeps working in a folder reached through a symlinked parent or a symlinked cacheDir', async () => {
      const real = makeTempDir()
      const viaParent = join(makeTempDir(), 'link')
      symlinkSync(real, viaParent)
      const tier = new FileTier({ dir: join(viaParent, 'cache') })
      await tier.set(makeEntry('k', 'through a link', later()))
      expect((await tier.get('k'))?.value).toBe('through a link')
      expect(existsSync(join(real, 'cache', 'k.json'))).toBe(true)
      const asDir = new FileTier({ dir: join(makeTempDir(), 'cache-link') })
      symlinkSync(join(real, 'cache'), asDir.dir)
      expect((await asDir.get('k'))?.value).toBe('through a link')
    })
  })

  describe('cacheDir pointed at a folder that is not a cache', () => {
    /** A project folder: what `cacheDir: '.'` (meant: './cache') points at. */
    const project = () => {
      const dir = makeTempDir('tiercache-project-')
      writeFileSync(join(dir, 'package.json'), '{"name":"app","version":"1.0.0"}\n')
      writeFileSync(join(dir, 'tsconfig.json'), '{"compilerOptions":{"strict":true}}\n')
      writeFileSync(join(dir, 'data.json'), '[1,2,3]')
      mkdirSync(join(dir, 'src'))
      writeFileSync(join(dir, 'src', 'index.json'), '{}')
      const old = (Date.now() - 7_200_000) / 1000
      for (const name of ['package.json', 'tsconfig.json', 'data.json'])
        utimesSync(join(dir, name), old, old)
      return dir
    }

    it('cacheDir "." in a project folder deletes nothing, and says which folder and what to do', async () => {
      const dir = project()
      const before = listTree(dir)
      const errors: Error[] = []
      const cache = new Cache({
        cacheDir: dir,
        cleanupInterval: false,
        clock: new FakeClock(Date.now() + 7_200_000),
        onError: (err) => errors.push(err),
      })
      const refusal = (call: Promise<unknown>) =>
        call.then(
          () => errors.push(new Error('resolved')),
          (err: Error) => errors.push(err),
        )
      await refusal(cache.get('tsconfig'))
      await refusal(cache.get('package'))
      await refusal(cache.cleanup())
      await refusal(cache.clear())
      await refusal(cache.set('data', 1))
      await refusal(cache.delete('data'))
      await cache.close()
      expect(listTree(dir)).toEqual(before) // not a byte, not a name, not an mtime changed
      expect(errors).toHaveLength(6)
      for (const err of errors) {
        expect(err).toMatchObject({ code: 'E_STORAGE' })
        expect(err.message).toContain(dir)
        expect(err.message).toMatch(/CACHEDIR\.TAG/)
        expect(err.message).toMatch(/empty|new folder/)
      }
    })

    it.each([
      ['a text file', (dir: string) => writeFileSync(join(dir, 'notes.txt'), 'mine')],
      ['a JSON file of the user', (dir: string) => writeFileSync(join(dir, 'x.json'), '{"v":1}')],
      ['an empty JSON file', (dir: string) => writeFileSync(join(dir, 'x.json'), '')],
      ['a .gitkeep', (dir: string) => writeFileSync(join(dir, '.gitkeep'), '')],
      ['a sub-folder', (dir: string) => mkdirSync(join(dir, 'photos'))],
      ['a .tmp that is a file', (dir: string) => writeFileSync(join(dir, '.tmp'), 'x')],
      ['a .tmp that is a symlink', (dir: string) => symlinkSync(makeTempDir(), join(dir, '.tmp'))],
      ['an entry-like symlink', (dir: string) => symlinkSync('/etc/hostname', join(dir, 'x.json'))],
    ])(
      'a folder holding %s and no tag is refused by every operation, untouched',
      async (_what, plant) => {
        const dir = makeTempDir()
        plant(dir)
        const before = listTree(dir)
        const tier = ahead(dir)
        const refused = { code: 'E_STORAGE', message: expect.stringContaining(dir) as unknown }
        await expect(tier.set(makeEntry('k', 1, later()))).rejects.toMatchObject(refused)
        await expect(tier.get('x')).rejects.toMatchObject(refused)
        await expect(tier.prune()).rejects.toMatchObject(refused)
        await expect(tier.clear()).rejects.toMatchObject(refused)
        await expect(tier.delete('x')).rejects.toMatchObject(refused)
        expect(listTree(dir)).toEqual(before)
        expect(existsSync(join(dir, 'CACHEDIR.TAG'))).toBe(false)
      },
    )

    it('a refused folder is accepted once the cause is gone, on the same instance', async () => {
      const dir = makeTempDir()
      writeFileSync(join(dir, 'notes.txt'), 'mine')
      const tier = new FileTier({ dir })
      await expect(tier.set(makeEntry('k', 1, later()))).rejects.toMatchObject({
        code: 'E_STORAGE',
      })
      unlinkSync(join(dir, 'notes.txt'))
      await tier.set(makeEntry('k', 1, later()))
      expect((await tier.get('k'))?.value).toBe(1)
    })
  })

  describe('folders written by tiercache 0.1.0 (no tag)', () => {
    /** What 0.1.0 left: entries (one cut short by a full disk), a temp folder with a dead writer's file, no tag. */
    const oldFolder = async () => {
      const dir = await ownFolder()
      const tier = new FileTier({ dir })
      await tier.set(makeEntry('long', 'x'.repeat(5_000), later()))
      await tier.set(makeEntry('L'.repeat(300), 'hashed name', later()))
      const cut = join(dir, keyToFileName('long'))
      writeFileSync(cut, readFileSync(cut).subarray(0, 100))
      writeFileSync(join(dir, '.tmp', '999-0badf00d-3'), '{"v":1,"key":"k","ex')
      unlinkSync(join(dir, 'CACHEDIR.TAG'))
      return dir
    }

    it('are adopted: entries read back, the tag is written, and cleanup() still removes a cut-short entry', async () => {
      const dir = await oldFolder()
      const tier = ahead(dir, 60_000)
      expect((await tier.get('k'))?.value).toBe('v')
      expect((await tier.get('L'.repeat(300)))?.value).toBe('hashed name')
      expect(await tier.prune()).toBe(1)
      expect(existsSync(join(dir, keyToFileName('long')))).toBe(false)
      await tier.set(makeEntry('new', 2, later()))
      expect(readFileSync(join(dir, 'CACHEDIR.TAG'), 'utf8').startsWith(TAG_SIGNATURE)).toBe(true)
    })

    it('one file that is not an entry is enough to refuse the folder', async () => {
      const dir = await oldFolder()
      writeFileSync(join(dir, 'config.json'), '{"port":80}')
      await expect(new FileTier({ dir }).get('k')).rejects.toMatchObject({ code: 'E_STORAGE' })
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"port":80}')
    })
  })

  describe('nothing outside cacheDir is written, read as data or deleted', () => {
    it('a .tmp replaced by a symlink is refused: nothing is written or deleted where it points', async () => {
      const dir = await ownFolder()
      const victim = bystanderFolder()
      const before = victim.snapshot()
      rmSync(join(dir, '.tmp'), { recursive: true })
      symlinkSync(victim.dir, join(dir, '.tmp'))
      for (const tier of [ahead(dir), new FileTier({ dir })]) {
        await expect(tier.set(makeEntry('k2', 'secret', later()))).rejects.toMatchObject({
          code: 'E_STORAGE',
          message: expect.stringContaining('.tmp') as unknown,
        })
        await tier.prune().catch(() => 0)
        await tier.clear().catch(() => 0)
      }
      expect(victim.snapshot()).toEqual(before)
      unlinkSync(join(dir, '.tmp')) // the cause gone, the same instance writes again
      const tier = ahead(dir)
      await tier.set(makeEntry('k2', 'secret', later()))
      expect((await tier.get('k2'))?.value).toBe('secret')
    })

    it('an entry name that is a symlink is a miss even when it points at a valid entry; cleanup() unlinks only the link', async () => {
      const dir = await ownFolder()
      const victim = bystanderFolder()
      renameSync(join(dir, 'k.json'), join(victim.dir, 'k.json')) // a real, valid entry for 'k', outside
      const before = victim.snapshot()
      symlinkSync(join(victim.dir, 'k.json'), join(dir, 'k.json'))
      symlinkSync(join(victim.dir, 'data.json'), join(dir, 'data.json'))
      const tier = ahead(dir)
      expect(await tier.get('k')).toBeUndefined()
      expect(await tier.get('data')).toBeUndefined()
      expect(await tier.prune()).toBe(2)
      expect(readdirSync(dir).sort()).toEqual(['.tmp', 'CACHEDIR.TAG'])
      expect(victim.snapshot()).toEqual(before)
    })

    it('set and delete replace or remove the name only: a hard-linked entry file leaves its other name intact', async () => {
      const dir = await ownFolder()
      const victim = bystanderFolder()
      unlinkSync(join(dir, 'k.json'))
      linkSync(join(victim.dir, 'k.json'), join(dir, 'k.json'))
      const before = victim.snapshot()
      const tier = ahead(dir)
      expect(await tier.get('k')).toBeUndefined()
      await tier.set(makeEntry('k', 'new', later()))
      expect((await tier.get('k'))?.value).toBe('new')
      linkSync(join(victim.dir, 'data.json'), join(dir, 'data.json'))
      expect(await tier.delete('data')).toBe(true)
      await tier.prune()
      expect(victim.snapshot()).toEqual(before)
    })

    it('the temp-file sweep removes only names the tier writes, never other files in .tmp', async () => {
      const dir = await ownFolder()
      const old = (Date.now() - 3_600_000) / 1000
      for (const name of ['12345-deadbeef-0', 'notes.txt', 'x.json']) {
        writeFileSync(join(dir, '.tmp', name), name)
        utimesSync(join(dir, '.tmp', name), old, old)
      }
      symlinkSync('/etc/hostname', join(dir, '.tmp', '777-cafebabe-1'))
      await ahead(dir, 3_600_000).prune()
      expect(readdirSync(join(dir, '.tmp')).sort()).toEqual(['notes.txt', 'x.json'])
      expect(existsSync('/etc/hostname')).toBe(true)
    })
  })

  describe('private by default', () => {
    let umask: number
    beforeEach(() => (umask = process.umask(0o022)))
    afterEach(() => process.umask(umask))

    it('folders are 0700 and files 0600 by default', async () => {
      const dir = join(makeTempDir(), 'a', 'cache')
      await new FileTier({ dir }).set(makeEntry('k', 'v', later()))
      expect(mode(dir)).toBe(0o700)
      expect(mode(join(dir, '.tmp'))).toBe(0o700)
      expect(mode(join(dir, 'k.json'))).toBe(0o600)
      expect(mode(join(dir, 'CACHEDIR.TAG'))).toBe(0o600)
    })

    it.each([0o640, 0o660, 0o644, 0o600])(
      'fileMode %o widens files to exactly that, and folders to that plus search where read is granted',
      async (fileMode) => {
        process.umask(0o077) // a strict umask does not narrow what was asked for
        const dir = join(makeTempDir(), 'shared')
        await new FileTier({ dir, fileMode }).set(makeEntry('k', 'v', later()))
        const dirMode = fileMode | 0o100 | ((fileMode & 0o040) >> 2) | ((fileMode & 0o004) >> 2)
        expect(mode(join(dir, 'k.json'))).toBe(fileMode)
        expect(mode(join(dir, 'CACHEDIR.TAG'))).toBe(fileMode)
        expect(mode(dir)).toBe(dirMode)
        expect(mode(join(dir, '.tmp'))).toBe(dirMode)
      },
    )

    it.each([[0o400], [0o200], [0o1777], [-1], [1.5], ['644'], [Number.NaN]])(
      'rejects fileMode %p with a TypeError naming the option',
      (fileMode) => {
        expect(() => new FileTier({ dir: 'x', fileMode: fileMode as number })).toThrow(
          /^fileMode option/,
        )
      },
    )
  })

  describe('no failure is permanent', () => {
    it('a stray file where .tmp goes fails the write; once removed, the same instance writes again', async () => {
      const dir = await ownFolder()
      rmSync(join(dir, '.tmp'), { recursive: true })
      writeFileSync(join(dir, '.tmp'), 'stray')
      const tier = new FileTier({ dir })
      await expect(tier.set(makeEntry('a', 1, later()))).rejects.toMatchObject({
        code: 'E_STORAGE',
        message: expect.stringContaining('.tmp') as unknown,
      })
      unlinkSync(join(dir, '.tmp'))
      await tier.set(makeEntry('a', 1, later()))
      expect((await tier.get('a'))?.value).toBe(1)
    })

    it('a file where the folder goes fails the write; once replaced by a folder, the same Cache writes again', async () => {
      const parent = join(makeTempDir(), 'parent')
      writeFileSync(parent, 'not a folder')
      const cache = new Cache({
        cacheDir: join(parent, 'cache'),
        cleanupInterval: false,
        onError: () => {},
      })
      await expect(cache.set('a', 1)).rejects.toMatchObject({ code: 'E_STORAGE' })
      unlinkSync(parent)
      mkdirSync(parent)
      await cache.set('a', 1)
      await cache.close()
      const fresh = new Cache({ cacheDir: join(parent, 'cache'), cleanupInterval: false })
      expect(await fresh.get('a')).toBe(1)
      await fresh.close()
    })
  })
})

describe('FileTier: the folder is ours even when others change it', () => {
  it('a folder replaced by a foreign one after first use is refused, not emptied', async () => {
    const dir = join(makeTempDir(), 'cache')
    const tier = ahead(dir, 7_200_000)
    await tier.set(makeEntry('package', 'cached', later()))
    rmSync(dir, { recursive: true })
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), '{"name":"app"}')
    const before = listTree(dir)
    await expect(tier.get('package')).resolves.toBeUndefined() // remembered as ours: read, but not removed
    await expect(tier.delete('package')).rejects.toMatchObject({ code: 'E_STORAGE' })
    await expect(tier.prune()).rejects.toMatchObject({ code: 'E_STORAGE' })
    await expect(tier.clear()).rejects.toMatchObject({ code: 'E_STORAGE' })
    await expect(tier.set(makeEntry('k', 1, later()))).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(listTree(dir)).toEqual(before)
  })

  it('a .tmp swapped for a symlink while in use is found by cleanup(), and the next write refuses it', async () => {
    const dir = await ownFolder()
    const tier = ahead(dir)
    await tier.set(makeEntry('a', 1, later()))
    const victim = bystanderFolder()
    const before = victim.snapshot()
    rmSync(join(dir, '.tmp'), { recursive: true })
    symlinkSync(victim.dir, join(dir, '.tmp'))
    await tier.prune()
    await expect(tier.set(makeEntry('b', 2, later()))).rejects.toMatchObject({ code: 'E_STORAGE' })
    expect(victim.snapshot()).toEqual(before)
    expect((await tier.get('a'))?.value).toBe(1)
  })

  it('many instances creating one folder at once all write, and leave one valid tag', async () => {
    const dir = join(makeTempDir(), 'new', 'cache')
    const tiers = Array.from({ length: 12 }, () => new FileTier({ dir }))
    await Promise.all(tiers.map((tier, i) => tier.set(makeEntry(`k${i}`, i, later()))))
    expect(readFileSync(join(dir, 'CACHEDIR.TAG'), 'utf8').split('\n')[0]).toBe(TAG_SIGNATURE)
    for (let i = 0; i < tiers.length; i++) expect((await tiers[0]!.get(`k${i}`))?.value).toBe(i)
  })

  it('prune(), clear() and stats() on a folder removed meanwhile resolve or reject with a StorageError, never crash', async () => {
    const dir = await ownFolder()
    const tier = ahead(dir)
    for (let i = 0; i < 50; i++) await tier.set(makeEntry(`k${i}`, i, later()))
    const outcomes = Promise.allSettled([tier.prune(), tier.clear(), tier.stats(), tier.get('k1')])
    rmSync(dir, { recursive: true, force: true })
    for (const outcome of await outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'E_STORAGE' })
    await tier.set(makeEntry('k', 'again', later()))
    expect((await tier.get('k'))?.value).toBe('again')
  })
})
