import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import type { Cache } from '../../../src/storage/cache'
import { FileTier } from '../../../src/storage/tiers/file'
import { parseEntry } from '../../../src/storage/tiers/file-format'
import {
  bumpTagCounter,
  countEntriesByTag,
  readTagCounter,
  readTagCounters,
  tagFileName,
} from '../../../src/storage/tiers/file-tags'
import { forkHelper, type Child } from '../../helpers/fork-child'
import { openCaches } from '../../helpers/open-caches'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()
jest.setTimeout(60_000)

let dir: string
const open = openCaches(() => ({ cacheDir: dir }))

beforeEach(() => {
  dir = makeTempDir()
})

/** An entry file exactly as tiercache wrote it before tags (format 1, no `tags` field). */
function writeFormat1(key: string, value: unknown): void {
  mkdirSync(dir, { recursive: true })
  const expiresAt = Date.now() + 3_600_000
  writeFileSync(
    join(dir, `${key}.json`),
    `{"v":1,"key":${JSON.stringify(key)},"expiresAt":${expiresAt},"value":${JSON.stringify(value)}}`,
  )
}

describe('tag counters in the folder', () => {
  it('a counter is the size of its file under .tags, and each bump adds one', async () => {
    const tier = new FileTier({ dir })
    expect(await tier.tagVersions(['video:abc'])).toEqual([0])
    expect(await tier.bumpTags(['video:abc', 'video:xyz'])).toEqual([1, 1])
    expect(await tier.bumpTags(['video:abc'])).toEqual([2])
    expect(await tier.tagVersions(['video:abc', 'video:xyz', 'never'])).toEqual([2, 1, 0])
    expect(readdirSync(join(dir, '.tags')).sort()).toEqual([
      tagFileName('video:abc'),
      tagFileName('video:xyz'),
    ])
    expect(await readTagCounters(dir)).toEqual(
      new Map([
        ['video:abc', 2],
        ['video:xyz', 1],
      ]),
    )
  })

  it('the functions the command line uses read and bump the same counters', async () => {
    const cache = open()
    await cache.set('k', 1, { tags: ['video:abc'] })
    expect(await bumpTagCounter(dir, 'video:abc')).toBe(1)
    expect(await readTagCounter(dir, 'video:abc')).toBe(1)
    expect(await open().get('k')).toBeUndefined()
  })

  it('increments from 4 processes at once are all counted', async () => {
    const children: Child[] = Array.from({ length: 4 }, () => forkHelper('tags-process', [dir]))
    try {
      for (const child of children) expect(await child.next()).toEqual({ ready: true })
      for (const child of children) child.process.send({ bump: 'hot', times: 50 })
      for (const child of children) expect(await child.next()).toEqual({ done: true })
      expect(await readTagCounter(dir, 'hot')).toBe(200)
    } finally {
      for (const child of children) child.process.disconnect()
      await Promise.all(children.map((child) => child.exited))
    }
  })

  it('.tags is one of the tier\u2019s own names: a folder holding it is adopted, clear and stats skip it', async () => {
    writeFormat1('a', 1) // a folder of 0.1.0 (entries, no CACHEDIR.TAG) that got tag counters
    mkdirSync(join(dir, '.tags'))
    writeFileSync(join(dir, '.tags', tagFileName('t')), '+')
    const cache = open()
    expect(await cache.get('a')).toBe(1)
    expect((await cache.stats()).fileEntries).toBe(1)
    await cache.clear()
    expect(await readTagCounter(dir, 't')).toBe(1)
  })

  it('a .tags that is a symbolic link is refused with a StorageError, and nothing is written through it', async () => {
    const elsewhere = makeTempDir()
    const cache = open()
    await cache.set('k', 1)
    symlinkSync(elsewhere, join(dir, '.tags'))
    await expect(cache.invalidateTags(['t'])).rejects.toMatchObject({
      name: 'StorageError',
      tier: 'file',
    })
    expect(readdirSync(elsewhere)).toEqual([])
  })
})

describe('entries on disk', () => {
  it('a tagged entry keeps its stamps in its header', async () => {
    const cache = open()
    await cache.invalidateTags(['video:abc'])
    await cache.set('k', { n: 1 }, { tags: ['video:abc', 'video:xyz'] })
    const text = readFileSync(join(dir, 'k.json'), 'utf8')
    expect(JSON.parse(text)).toMatchObject({ v: 1, tags: { 'video:abc': 1, 'video:xyz': 0 } })
    expect(parseEntry(Buffer.from(text), 'k')?.tags).toEqual({
      tags: ['video:abc', 'video:xyz'],
      counters: [1, 0],
      checkedAt: -1,
    })
  })

  it.each([
    ['a negative counter', '{"t":-1}'],
    ['a counter that is no integer', '{"t":1.5}'],
    ['a list', '["t"]'],
  ])('an entry whose tags hold %s reads as a miss', (_what, tags) => {
    const text = `{"v":1,"key":"k","expiresAt":null,"tags":${tags},"value":1}`
    expect(parseEntry(Buffer.from(text), 'k')).toBeUndefined()
  })

  it('entries written before tags (format 1) read as untagged, and no tag invalidates them', async () => {
    writeFormat1('old', { title: 'x' })
    const cache = open()
    expect(await cache.get('old')).toEqual({ title: 'x' })
    await cache.invalidateTags(['video:abc'])
    await cache.cleanup()
    expect(await open().get('old')).toEqual({ title: 'x' })
    expect(existsSync(join(dir, 'old.json'))).toBe(true)
  })
})

describe('a second process on the same folder, without a bus', () => {
  it('sees an invalidation on its next read from the file', async () => {
    const child = forkHelper('tags-process', [dir])
    try {
      expect(await child.next()).toEqual({ ready: true })
      const ask = (key: string, through: 'file' | 'stacked') => {
        child.process.send({ get: key, through })
        return child.next<{ value: unknown }>()
      }
      const cache: Cache = open()
      await cache.set('seen', 'v1', { tags: ['video:abc'] })
      await cache.set('unseen', 'v1', { tags: ['video:abc'] })
      await cache.set('kept', 'v1', { tags: ['video:xyz'] })
      expect(await ask('seen', 'file')).toEqual({ value: 'v1' })

      await cache.invalidateTags(['video:abc'])

      expect(await ask('seen', 'file')).toEqual({ value: null })
      expect(await ask('unseen', 'stacked')).toEqual({ value: null })
      expect(await ask('kept', 'file')).toEqual({ value: 'v1' })
      await cache.set('seen', 'v2', { tags: ['video:abc'] })
      expect(await ask('seen', 'file')).toEqual({ value: 'v2' })
    } finally {
      child.process.disconnect()
      await child.exited
    }
  })
})

describe('countEntriesByTag (for stats per tag)', () => {
  it('counts the valid entries carrying each tag: an entry invalidated by any of its tags counts for none', async () => {
    const cache = open()
    await cache.set('a', 1, { tags: ['video:abc', 'catalog'] })
    await cache.set('b', 2, { tags: ['video:abc'] })
    await cache.set('c', 3, { tags: ['video:xyz', 'catalog'] })
    await cache.set('d', 4)
    await cache.invalidateTags(['video:xyz'])
    expect(await countEntriesByTag(dir)).toEqual(
      new Map([
        ['video:abc', { entries: 2, counter: 0 }],
        ['catalog', { entries: 1, counter: 0 }], // c is a miss since video:xyz was invalidated
      ]),
    )
  })
})
