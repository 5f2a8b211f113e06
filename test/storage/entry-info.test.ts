import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from '../../src/storage/cache'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'
import { FakeClock } from '../../src/testing'
import { forkHelper } from '../helpers/fork-child'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'

useTempDirs()

const caches: Cache[] = []
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()))
})

function memoryAndFile(dir: string, clock: FakeClock, options: object = {}): Cache {
  const tiers = [new MemoryTier({ clock }), new FileTier({ dir, clock })]
  const cache = new Cache({ tiers, clock, cleanupInterval: false, ...options })
  caches.push(cache)
  return cache
}

describe('cache.getEntry', () => {
  it('shows a fresh entry with its times and tier, a stale one as stale, then nothing', async () => {
    const clock = new FakeClock()
    const start = clock.now()
    const cache = memoryAndFile(makeTempDir(), clock, { staleWhileRevalidate: 60 })
    await cache.set('k', { n: 1 }, 60)
    expect(await cache.getEntry('k')).toEqual({
      value: { n: 1 },
      freshUntil: start + 60_000,
      expiresAt: start + 120_000,
      tier: 'memory',
      stale: false,
    })
    clock.advance(60_000)
    expect(await cache.getEntry('k')).toMatchObject({ stale: true, tier: 'memory' })
    expect(await cache.get('k')).toBeUndefined()
    clock.advance(60_000)
    expect(await cache.getEntry('k')).toBeUndefined()
  })

  it('reads the tiers below when memory has no copy, and names the tier', async () => {
    const clock = new FakeClock()
    const dir = makeTempDir()
    await memoryAndFile(dir, clock).set('k', 'v', 60)
    const other = memoryAndFile(dir, clock) // another process's cache over the same folder
    expect(await other.getEntry('k')).toMatchObject({ value: 'v', tier: 'file', stale: false })
  })

  it('rejects an invalid key like the other reads', async () => {
    const cache = memoryAndFile(makeTempDir(), new FakeClock())
    await expect(cache.getEntry('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' })
  })

  it('reads format-1 files of 0.1.0 as entries that were never stale', async () => {
    const dir = makeTempDir()
    cpSync(join(__dirname, '../fixtures/format-1'), dir, { recursive: true })
    const cache = memoryAndFile(dir, new FakeClock(1_700_000_000_000), {
      staleWhileRevalidate: 600,
    })
    expect(await cache.getEntry('report:42')).toMatchObject({
      freshUntil: 1_700_003_600_000,
      expiresAt: 1_700_003_600_000,
      tier: 'file',
      stale: false,
    })
    expect(await cache.get('Video_7:segment?a=1')).toBe('a string with ünïcode')
  })

  it('a second process reads the stale windows this one wrote (format 2)', async () => {
    const clock = new FakeClock()
    const dir = makeTempDir()
    const cache = memoryAndFile(dir, clock, { staleWhileRevalidate: 60, eagerRefresh: 0.5 })
    await cache.set('report', { pages: 3 }, 60)
    await cache.set('plain', 'p', { ttl: 60 })
    const child = forkHelper('entry-reader-process', [
      dir,
      String(clock.now() + 90_000),
      'report',
      'plain',
      'missing',
    ])
    const report = await child.next<Record<string, unknown>>()
    await child.exited
    expect(report).toEqual({
      report: {
        value: { pages: 3 },
        freshUntil: clock.now() + 60_000,
        expiresAt: clock.now() + 120_000,
        tier: 'file',
        stale: true,
      },
      plain: {
        value: 'p',
        freshUntil: clock.now() + 60_000,
        expiresAt: clock.now() + 120_000,
        tier: 'file',
        stale: true,
      },
      missing: null,
    })
  })
})
