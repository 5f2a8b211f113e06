import { cpSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FileTier } from '../../../src/storage/tiers/file'
import { FakeClock } from '../../../src/testing'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

// Entry files of format 1, written by the file tier as 0.1.0 shipped it (test/fixtures/write-format-1.ts,
// run at d7f7b0f, before format 2): a folder left by 0.1.0 must keep its entries, as entries with no stale window.
const FIXTURES = join(__dirname, '../../fixtures/format-1')
const WRITTEN_AT = 1_700_000_000_000

useTempDirs()

/** A file tier over a copy of the fixtures (the tier may tag the folder and tidy it). */
function openCopy(clock: FakeClock): FileTier {
  const dir = makeTempDir()
  cpSync(FIXTURES, dir, { recursive: true })
  return new FileTier({ dir, clock })
}

describe('format-1 entry files (0.1.0)', () => {
  it('are six entry files of format 1', () => {
    const names = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'))
    expect(names).toHaveLength(6)
    for (const name of names)
      expect(readFileSync(join(FIXTURES, name), 'latin1').startsWith('{"v":1,"key":')).toBe(true)
  })

  it('read as entries fresh until they expire, with their values, memoryTtl and attachments', async () => {
    const tier = openCopy(new FakeClock(WRITTEN_AT))
    try {
      const report = await tier.get('report:42')
      expect(report?.value).toEqual({
        title: 'Quarterly',
        pages: [1, 2, 3],
        at: new Date(1_600_000_000_000),
      })
      expect([report?.freshUntil, report?.expiresAt]).toEqual([
        WRITTEN_AT + 3_600_000,
        WRITTEN_AT + 3_600_000,
      ])
      expect(report?.refreshAt).toBeUndefined()

      const unicode = await tier.get('Video_7:segment?a=1')
      expect([unicode?.value, unicode?.memoryTtlMs]).toEqual(['a string with ünïcode', 60_000])

      const forever = await tier.get('forever')
      expect([forever?.value, forever?.freshUntil, forever?.expiresAt]).toEqual([
        [1, 2, 3],
        Infinity,
        Infinity,
      ])

      expect((await tier.get('x'.repeat(300)))?.value).toBe(42) // a hashed file name

      const frames = (await tier.get('frames'))?.value as { id: string; bytes: Uint8Array }
      expect(frames.bytes).toBeInstanceOf(Uint8Array)
      expect(frames.bytes.byteLength).toBe(70_000)
      expect(frames.bytes.every((byte, i) => byte === i % 251)).toBe(true)
    } finally {
      await tier.close()
    }
  })

  it('expire as they did: no stale window is read into them', async () => {
    const clock = new FakeClock(WRITTEN_AT)
    const tier = openCopy(clock)
    try {
      clock.advance(60_000)
      expect(await tier.prune()).toBe(1)
      expect(await tier.get('short-lived')).toBeUndefined()
      expect((await tier.get('report:42'))?.value).toBeDefined()
    } finally {
      await tier.close()
    }
  })
})
