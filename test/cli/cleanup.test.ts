import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { encodeParts } from '../../src/core/codec'
import { FileTier } from '../../src/storage/tiers/file'
import { keyToFileName } from '../../src/storage/tiers/file-layout'
import { makeTempDir, useTempDirs } from '../helpers/temp-dir'
import { ensureBuilt, runCli } from './run-cli'

jest.setTimeout(120_000)
useTempDirs()
beforeAll(ensureBuilt, 300_000)

describe('tiercache cleanup', () => {
  it('removes what cache.cleanup() removes (expired entries), keeps the rest, and says so', async () => {
    const dir = join(makeTempDir('tiercache-cli-'), 'cache')
    const tier = new FileTier({ dir })
    const now = Date.now() // FileTier.prune judges by the wall clock, as a running cache does
    for (let i = 0; i < 12; i++) {
      const { text, attachments } = encodeParts({ i })
      const expiresAt = i < 5 ? now - 60_000 : now + 3_600_000
      await tier.set({ key: `job:v1:${i}`, value: { i }, encoded: text, attachments, expiresAt })
    }
    const { code, stdout } = await runCli(['cleanup', '--dir', dir, '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ removed: 5, entries: 7, tempFilesRemoved: 0 })
    const names = readdirSync(dir).filter((n) => n.endsWith('.json'))
    expect(names.sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => keyToFileName(`job:v1:${i + 5}`)).sort(),
    )
    const text = await runCli(['cleanup', '--dir', dir])
    expect(text.stdout).toMatch(
      /^removed 0 expired or unreadable entries .*\n7 entries \(.*\) remain\n$/,
    )
  })
})
