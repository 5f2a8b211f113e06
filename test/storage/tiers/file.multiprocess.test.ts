import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cache } from '../../../src/storage/cache'
import { FileTier } from '../../../src/storage/tiers/file'
import { isIntact } from '../../helpers/checksummed'
import { FakeClock } from '../../../src/testing/fake-clock'
import { forkHelper } from '../../helpers/fork-child'
import type { HammerGoal, HammerReport } from '../../helpers/hammer-process'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'
import { typedValues } from '../../helpers/typed-values'
import { VALUE_SIZE } from '../../helpers/writer-process'

useTempDirs()

/** Set TIERCACHE_TEST_REPORT=1 to print what these tests measured. */
const report = (what: string, data: unknown) => {
  if (process.env.TIERCACHE_TEST_REPORT) console.log(what, data)
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('FileTier shared by several processes', () => {
  it('values of every codec type written by one process come back with their types in another', async () => {
    const dir = makeTempDir()
    const child = forkHelper('value-writer-process', [dir])
    const { written } = await child.next<{ written: string[] }>()
    expect(await child.exited).toEqual({ code: 0, signal: null }) // left on its own: the cleanup timer is unref'd

    const cache = new Cache({ cacheDir: dir, cleanupInterval: false })
    try {
      const expected = typedValues()
      expect(written.sort()).toEqual(Object.keys(expected).sort())
      for (const [key, value] of Object.entries(expected))
        expect(await cache.get(key)).toStrictEqual(value)
      expect(await cache.get('date')).toBeInstanceOf(Date)
      expect(Buffer.isBuffer(await cache.get('buffer'))).toBe(true)
      expect(await cache.get('bytes')).toBeInstanceOf(Uint8Array)
      expect(await cache.get('floats')).toBeInstanceOf(Float64Array)
      expect(await cache.get('map')).toBeInstanceOf(Map)
      expect(await cache.get('set')).toBeInstanceOf(Set)
      expect(typeof (await cache.get('bigint'))).toBe('bigint')
    } finally {
      await cache.close()
    }
  }, 30_000)

  it('4 processes hammering a few keys never read a torn or wrong value', async () => {
    const dir = makeTempDir()
    const keyCount = 6
    const children = Array.from({ length: 4 }, (_, i) =>
      forkHelper('hammer-process', [dir, String(keyCount), `w${i}`]),
    )
    await Promise.all(children.map((child) => child.next()))
    // A number of operations, not a duration: a loaded machine takes longer but proves the same. The cap only
    // keeps a wedged run from hanging; hitting it fails the test below.
    const goal: HammerGoal = { minWrites: 60, minReads: 60, capAt: Date.now() + 90_000 }
    for (const child of children) child.process.send(goal)
    let reported = false
    const reportsIn = Promise.all(children.map((child) => child.next<HammerReport>())).finally(
      () => (reported = true),
    )

    // The parent reads too, through a tier of its own, while the children write.
    const reader = new FileTier({ dir })
    const mine = { hits: 0, misses: 0, wrong: 0, lost: 0 }
    const seen = new Set<string>()
    while ((!reported || mine.hits <= 20) && Date.now() < goal.capAt) {
      const key = `key-${Math.floor(Math.random() * keyCount)}`
      const entry = await reader.get(key)
      if (entry === undefined) {
        mine.misses++
        if (seen.has(key)) mine.lost++
      } else {
        seen.add(key)
        if (isIntact(entry.value, key)) mine.hits++
        else mine.wrong++
      }
    }
    const reports = await reportsIn
    for (const child of children) expect(await child.exited).toEqual({ code: 0, signal: null })

    const total = reports.reduce((sum, r) => ({
      writes: sum.writes + r.writes,
      hits: sum.hits + r.hits,
      misses: sum.misses + r.misses,
      rawReads: sum.rawReads + r.rawReads,
      torn: sum.torn + r.torn,
      wrong: sum.wrong + r.wrong,
      lost: sum.lost + r.lost,
      capped: sum.capped || r.capped,
    }))
    report('hammer', { children: total, parent: mine })
    expect(total.torn).toBe(0)
    expect(total.wrong).toBe(0)
    expect(mine.wrong).toBe(0)
    expect(total.lost + mine.lost).toBe(0) // a key once there never reads as missing: no deletes, no expiry
    // Enough real contention for the zeros above to mean something (reached by count, however slow the machine):
    expect(total.capped).toBe(false)
    expect(total.writes).toBeGreaterThan(200)
    expect(total.hits + total.rawReads).toBeGreaterThan(200)
    expect(mine.hits).toBeGreaterThan(20)
    // Every file left behind is whole, and no temp file is.
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        key: string
        value: unknown
      }
      expect(isIntact(parsed.value, parsed.key)).toBe(true)
    }
    expect(readdirSync(join(dir, '.tmp'))).toEqual([])
  }, 120_000)

  it('a writer SIGKILLed mid-write leaves only whole entries or misses, and prune() clears its temp files', async () => {
    const dir = makeTempDir()
    const keyCount = 3
    let kills = 0
    const tmpFiles = () => readdirSync(join(dir, '.tmp'))
    // At least 5 kills at random moments; more (up to 15) until one lands between open and rename.
    while (kills < 5 || (tmpFiles().length === 0 && kills < 15)) {
      const child = forkHelper('writer-process', [dir, String(keyCount)])
      await child.next() // every key written once
      await sleep(Math.random() * 200)
      // Then aim, until some kill has landed mid-write: wait (at most 1 s) until a temp file is there, i.e. a
      // write is between its open and its rename. Random moments alone missed it in 15 kills on a busy machine.
      const aimUntil = Date.now() + 1_000
      while (tmpFiles().length === 0 && Date.now() < aimUntil)
        await new Promise((r) => setImmediate(r))
      child.process.kill('SIGKILL')
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
      kills++
    }
    const leftovers = tmpFiles()
    report('sigkill', { kills, leftoverTempFiles: leftovers.length })
    expect(leftovers.length).toBeGreaterThan(0) // some kill did land mid-write

    const clock = new FakeClock(Date.now())
    const tier = new FileTier({ dir, clock })
    let whole = 0
    for (let i = 0; i < keyCount; i++) {
      const entry = await tier.get(`big-${i}`)
      if (entry === undefined) continue
      expect(isIntact(entry.value, `big-${i}`)).toBe(true)
      expect((entry.value as { payload: string }).payload).toHaveLength(VALUE_SIZE)
      whole++
    }
    expect(whole).toBe(keyCount) // rename-into-place: the previous whole value survives every kill
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        key: string
        value: unknown
      }
      expect(isIntact(parsed.value, parsed.key)).toBe(true)
    }

    expect(await tier.prune()).toBe(0)
    expect(tmpFiles()).toEqual(leftovers) // too fresh to tell from a write in progress
    clock.advance(11 * 60_000)
    expect(await tier.prune()).toBe(0) // entries live an hour
    expect(tmpFiles()).toEqual([])
    for (let i = 0; i < keyCount; i++)
      expect(isIntact((await tier.get(`big-${i}`))?.value, `big-${i}`)).toBe(true)
  }, 120_000)
})
