import { checkCacheOptions, startCleanupTimer } from '../../src/storage/cache-options'
import { FileTier } from '../../src/storage/tiers/file'
import { MemoryTier } from '../../src/storage/tiers/memory'

describe('checkCacheOptions', () => {
  it('fills in memory + file tiers over cacheDir, the system clock and an hourly cleanup', () => {
    const checked = checkCacheOptions({ cacheDir: 'some-dir' })
    expect(checked.tiers.map((t) => t.constructor)).toEqual([MemoryTier, FileTier])
    expect((checked.tiers[1] as FileTier).dir).toMatch(/some-dir$/)
    expect(checked.cleanupMs).toBe(3_600_000)
    expect(typeof checked.clock.now()).toBe('number')
  })

  it('cleanupInterval false or Infinity means never; a duration is read as one', () => {
    expect(checkCacheOptions({ cleanupInterval: false }).cleanupMs).toBe(Infinity)
    expect(checkCacheOptions({ cleanupInterval: Infinity }).cleanupMs).toBe(Infinity)
    expect(checkCacheOptions({ cleanupInterval: '30m' }).cleanupMs).toBe(1_800_000)
  })

  it('copies the tiers it is given, so later changes to the caller array do not reach the cache', () => {
    const given = [new MemoryTier()]
    const checked = checkCacheOptions({ tiers: given })
    given.push(new MemoryTier())
    expect(checked.tiers).toHaveLength(1)
  })
})

describe('startCleanupTimer', () => {
  it('starts no timer for Infinity, and an unref’d one otherwise', () => {
    expect(startCleanupTimer(Infinity, () => {})).toBeUndefined()
    const timer = startCleanupTimer(2 ** 40, () => {})!
    expect(timer.hasRef()).toBe(false)
    clearInterval(timer)
  })
})
