import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as readWholeModule from '../../../src/storage/tiers/read-whole'
import { FileTier } from '../../../src/storage/tiers/file'
import { encode } from '../../../src/core/codec'
import { makeTempDir, useTempDirs } from '../../helpers/temp-dir'

useTempDirs()

/**
 * readWhole takes a short read for the end of the file, which holds for local files but not for every FUSE or
 * network mount. Simulated here (no local file system reads short): a get() that sees a cut-short entry
 * misses, but the entry is removed only on the word of a full readFile, so it is not lost.
 */
describe('FileTier when a read comes back short', () => {
  afterEach(() => jest.restoreAllMocks())

  it('misses once and keeps the entry on disk', async () => {
    const dir = makeTempDir()
    const tier = new FileTier({ dir })
    const value = { frames: 'x'.repeat(5_000) }
    await tier.set({
      key: 'video:7',
      value,
      encoded: encode(value),
      expiresAt: Date.now() + 60_000,
    })
    const real = readWholeModule.readWhole
    // A mount that reads this file short every time.
    const shortRead = jest
      .spyOn(readWholeModule, 'readWhole')
      .mockImplementation(async (path) => (await real(path)).subarray(0, 100))
    expect(await tier.get('video:7')).toBeUndefined()
    expect(shortRead).toHaveBeenCalled()
    expect(existsSync(join(dir, 'video@7.json'))).toBe(true)
    shortRead.mockRestore()
    expect((await tier.get('video:7'))?.value).toEqual(value)
  })
})
